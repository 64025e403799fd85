using System.Text;
using Innernet.Core.IO;
using Innernet.Core.Keys;
using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Fetch;

/// <summary>
/// The permanent key pair of an installation in progress, <c>&lt;config-dir&gt;/&lt;iface&gt;.redeem-key</c>: written
/// (0600, atomically, synced) BEFORE the redeem request is sent and removed once the config holds the key. When
/// the server's 204 is lost or the config cannot be written, the next <c>install</c> of the same invitation finds
/// the key here and redeems it again (the server accepts a repeated redeem with the same key), so a lost answer
/// neither spends the invitation nor loses the key. The file names the invitation's temporary public key, so a
/// key left over from another invitation is never reused. <see cref="KeyRotator"/> keeps its new key the same way in
/// <c>&lt;iface&gt;.rotate-key</c>, naming the key it replaces instead of the invitation's.
/// </summary>
public sealed class PendingRedeemKey
{
    private const string Extension = ".redeem-key";
    private const string InvitationField = "invitation-public-key";
    private const string PrivateKeyField = "private-key";

    private PendingRedeemKey(string path, KeyPair keys, bool resumed)
    {
        FilePath = path;
        Keys = keys;
        Resumed = resumed;
    }

    /// <summary>The file.</summary>
    public string FilePath { get; }

    /// <summary>The permanent key pair to redeem.</summary>
    public KeyPair Keys { get; }

    /// <summary>True when the key came from an earlier, unfinished installation of the same invitation.</summary>
    public bool Resumed { get; }

    /// <summary><c>&lt;config-dir&gt;/&lt;iface&gt;.redeem-key</c>.</summary>
    public static string PathFor(string configDirectory, string interfaceName)
        => Path.Combine(configDirectory, interfaceName + Extension);

    /// <summary>
    /// The key pending for the invitation whose temporary key is <paramref name="invitationPublicKey"/>: the one on
    /// disk when it belongs to this invitation, otherwise a new pair, written to disk before this returns.
    /// </summary>
    /// <exception cref="InnernetException">The file exists but cannot be read or parsed.</exception>
    /// <exception cref="IOException">The new key cannot be written.</exception>
    public static PendingRedeemKey LoadOrCreate(string path, WireGuardKey invitationPublicKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (File.Exists(path))
        {
            var (invitation, keys) = Read(path);
            if (invitation == invitationPublicKey)
            {
                return new PendingRedeemKey(path, keys, resumed: true);
            }
        }

        var fresh = KeyPair.Generate();
        string text = $"{InvitationField} = {invitationPublicKey.ToBase64()}\n{PrivateKeyField} = {fresh.Private.ToBase64()}\n";
        AtomicFile.Write(path, Encoding.UTF8.GetBytes(text), AtomicFile.PrivateFileMode);
        return new PendingRedeemKey(path, fresh, resumed: false);
    }

    /// <summary>Removes the file (the key is in the config now, or the server refused it for good).</summary>
    public void Delete() => File.Delete(FilePath);

    private static (WireGuardKey Invitation, KeyPair Keys) Read(string path)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path, Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InnernetException($"Cannot read the pending key '{path}': {e.Message}", e);
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in lines.Where(l => l.Length > 0))
        {
            int equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                fields[line[..equals].Trim()] = line[(equals + 1)..].Trim();
            }
        }

        if (!WireGuardKey.TryParse(fields.GetValueOrDefault(InvitationField), out var invitation)
            || !WireGuardKey.TryParse(fields.GetValueOrDefault(PrivateKeyField), out var privateKey))
        {
            throw new InnernetException(
                $"The pending key '{path}' is damaged. It may hold the key an earlier install or rotate-key registered with the server; " +
                "inspect it, then move it away to start over with a new key.");
        }

        return (invitation, KeyPair.FromPrivate(privateKey));
    }
}
