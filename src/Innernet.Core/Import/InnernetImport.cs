using Innernet.Core.Config;
using Innernet.Core.IO;
using Innernet.Core.Keys;
using Innernet.Core.Persistence;

namespace Innernet.Core.Import;

/// <summary>What to import: innernet's server config and database, and where ours go.</summary>
/// <param name="SourceConfig">innernet's <c>&lt;config-dir&gt;/&lt;iface&gt;.conf</c>; never modified.</param>
/// <param name="SourceDatabase">innernet's <c>&lt;data-dir&gt;/&lt;iface&gt;.db</c> (SQLite); never modified, only renamed aside
/// when it sits where our database goes.</param>
/// <param name="TargetConfig">Our config file (the same format; written unless it is the source file itself).</param>
/// <param name="TargetDatabase">Our database; must not exist, unless it is <paramref name="SourceDatabase"/> itself.</param>
/// <param name="CheckOnly">Read and check everything, write nothing.</param>
public sealed record ImportRequest(string SourceConfig, string SourceDatabase, string TargetConfig, string TargetDatabase, bool CheckOnly);

/// <summary>What an import found (and, unless it was a check, wrote).</summary>
/// <param name="Cidrs">CIDR rows.</param>
/// <param name="Peers">Peer rows (the server included).</param>
/// <param name="DisabledPeers">Of those, disabled.</param>
/// <param name="OpenInvitations">Of those, not redeemed yet.</param>
/// <param name="Associations">Association rows.</param>
/// <param name="Written">False for a check.</param>
/// <param name="Backup">Where innernet's database was moved when ours took its place; null otherwise.</param>
public sealed record ImportResult(
    int Cidrs, int Peers, int DisabledPeers, int OpenInvitations, int Associations, bool Written, string? Backup);

/// <summary>
/// Moves an innernet 1.7 server onto this one without touching its clients: the same server key, listen port and
/// address (the config file format is innernet's), and every CIDR, peer (with its key, IP, flags, invitation
/// expiry, endpoint and candidates) and association with its id, so that clients' configs and key pins stay valid.
/// </summary>
public static class InnernetImport
{
    /// <summary>The suffix innernet's database gets when our database takes its path.</summary>
    public const string BackupSuffix = ".innernet-1.7";

    /// <summary>
    /// Reads and checks both source files, then (unless <see cref="ImportRequest.CheckOnly"/>) writes our config and
    /// database. Nothing is written when anything is wrong; a failed write leaves the sources as they were.
    /// </summary>
    /// <exception cref="ValidationException">A source file is missing or invalid, or rows break a rule; the message lists them.</exception>
    /// <exception cref="StoreException">Our database exists already or cannot be written.</exception>
    public static ImportResult Run(ImportRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var config = ServerConfig.Parse(ConfigFile.Read(request.SourceConfig, "innernet server config"), request.SourceConfig);
        var network = InnernetDatabase.Read(request.SourceDatabase);
        var serverKey = WireGuardKeys.GetPublicKey(config.PrivateKey);
        if (ServerStore.CheckImport(network, config.Address, serverKey, config.NetworkCidrPrefix) is { Count: > 0 } problems)
        {
            throw new ValidationException(
                $"'{request.SourceDatabase}' cannot be imported:" + Environment.NewLine + "  "
                + string.Join(Environment.NewLine + "  ", problems));
        }

        bool inPlace = SamePath(request.SourceDatabase, request.TargetDatabase);
        if (!inPlace && (File.Exists(request.TargetDatabase) || File.Exists(DatabaseFiles.LogPathFor(request.TargetDatabase))))
        {
            throw new StoreException($"The database '{request.TargetDatabase}' exists already; an import creates a new one.");
        }

        bool sameConfig = SamePath(request.SourceConfig, request.TargetConfig);
        if (!sameConfig && File.Exists(request.TargetConfig))
        {
            throw new StoreException($"The config '{request.TargetConfig}' exists already; an import creates a new one.");
        }

        int disabled = network.Peers.Count(p => p.IsDisabled);
        int open = network.Peers.Count(p => !p.IsRedeemed);
        if (request.CheckOnly)
        {
            return new ImportResult(network.Cidrs.Count, network.Peers.Count, disabled, open, network.Associations.Count, false, null);
        }

        AtomicFile.EnsurePrivateDirectory(Path.GetDirectoryName(Path.GetFullPath(request.TargetDatabase))!);
        if (!sameConfig)
        {
            config.Save(request.TargetConfig);
        }

        string? backup = null;
        try
        {
            if (inPlace)
            {
                backup = request.SourceDatabase + BackupSuffix;
                if (File.Exists(backup))
                {
                    throw new StoreException($"'{backup}' exists already (an earlier import?); move it away first.");
                }

                File.Move(request.SourceDatabase, backup);
            }

            using (ServerStore.CreateImported(request.TargetDatabase, network, config.Address, serverKey, config.NetworkCidrPrefix))
            {
                // Created, synced and closed: serve opens it.
            }
        }
        catch
        {
            // A failed create removes its own half-made files; put innernet's database back and drop our config.
            if (backup is not null && File.Exists(backup) && !File.Exists(request.SourceDatabase))
            {
                File.Move(backup, request.SourceDatabase);
            }

            if (!sameConfig)
            {
                File.Delete(request.TargetConfig);
            }

            throw;
        }

        return new ImportResult(network.Cidrs.Count, network.Peers.Count, disabled, open, network.Associations.Count, true, backup);
    }

    private static bool SamePath(string a, string b) => string.Equals(Path.GetFullPath(a), Path.GetFullPath(b), StringComparison.Ordinal);
}
