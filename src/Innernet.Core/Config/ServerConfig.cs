using Innernet.Core.IO;
using Innernet.Netlink.Route;
using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Config;

/// <summary>
/// The server's <c>/etc/innernet-server/&lt;iface&gt;.conf</c> (kebab-case TOML, all keys required):
/// <c>private-key</c>, <c>listen-port</c>, <c>address</c> (server overlay IP) and
/// <c>network-cidr-prefix</c> (root CIDR prefix length). <see cref="ToString"/> hides the key. An extension innernet
/// does not have: an optional <c>[database]</c> section whose <c>connection</c> puts the network in PostgreSQL, and
/// whose <c>replica = true</c> makes this server one of several replicas sharing that database.
/// </summary>
public sealed record ServerConfig(WireGuardKey PrivateKey, ushort ListenPort, IPAddress Address, int NetworkCidrPrefix)
{
    /// <summary>The <c>[database]</c> section.</summary>
    public const string DatabaseSection = "database";

    /// <summary>Its key: the PostgreSQL connection (a <c>postgresql://</c> URI or Npgsql keywords, never a password).</summary>
    public const string DatabaseConnectionKey = "connection";

    /// <summary>Its key: <c>true</c> when this server is one of several replicas on the database (default false).</summary>
    public const string DatabaseReplicaKey = "replica";

    /// <summary>
    /// Where the network's store is when it is not the embedded LiteDB file next to the config: a PostgreSQL connection
    /// (see <c>docs/operations.md</c>). Null: the file.
    /// </summary>
    public string? DatabaseConnection { get; init; }

    /// <summary>
    /// The PostgreSQL database is shared with other servers of the same network (replicas, see <c>docs/operations.md</c>)
    /// instead of being this server's alone.
    /// </summary>
    public bool DatabaseReplica { get; init; }

    /// <summary>Parses the TOML text; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="ValidationException">A key is missing or invalid; the message names file and key.</exception>
    public static ServerConfig Parse(string toml, string source = "server config")
    {
        ArgumentNullException.ThrowIfNull(toml);
        var doc = TomlDocument.Parse(toml, source);
        var root = doc.Root;
        long prefix = doc.Integer(root, null, "network-cidr-prefix");
        var address = doc.Address(root, null, "address");
        int max = InterfaceAddress.MaxPrefix(address);
        if (prefix < 0 || prefix > max)
        {
            throw doc.Invalid(null, "network-cidr-prefix", $"must be from 0 to {max} for {address}, not {prefix}");
        }

        var database = doc.OptionalSection(DatabaseSection);
        string? connection = database is null ? null : doc.String(database, DatabaseSection, DatabaseConnectionKey);
        if (connection is { Length: 0 })
        {
            throw doc.Invalid(DatabaseSection, DatabaseConnectionKey, "must not be empty");
        }

        bool replica = database is not null && (doc.OptionalBoolean(database, DatabaseSection, DatabaseReplicaKey) ?? false);
        return new ServerConfig(doc.Key(root, null, "private-key"), doc.Port(root, null, "listen-port"), address, (int)prefix)
        {
            DatabaseConnection = connection,
            DatabaseReplica = replica,
        };
    }

    /// <summary>
    /// Reads the file. Like innernet, a file whose mode is not 0600 is fixed to 0600, with a warning.
    /// </summary>
    /// <exception cref="ValidationException">The file is missing, unreadable or invalid.</exception>
    public static LoadedConfig<ServerConfig> Load(string path)
    {
        var config = Parse(ConfigFile.Read(path, "server config"), path);
        var warnings = new List<string>();
        if (File.GetUnixFileMode(path) != AtomicFile.PrivateFileMode)
        {
            File.SetUnixFileMode(path, AtomicFile.PrivateFileMode);
            warnings.Add($"Updated permissions of '{path}' to 0600.");
        }

        return new LoadedConfig<ServerConfig>(config, warnings);
    }

    /// <summary>The TOML text.</summary>
    public string ToToml()
    {
        var text = new TomlText()
            .String("private-key", PrivateKey.ToBase64())
            .Integer("listen-port", ListenPort)
            .String("address", Address.ToString())
            .Integer("network-cidr-prefix", NetworkCidrPrefix);
        if (DatabaseConnection is { } connection)
        {
            text.Section(DatabaseSection).String(DatabaseConnectionKey, connection);
            if (DatabaseReplica)
            {
                text.Boolean(DatabaseReplicaKey, true);
            }
        }

        return text.ToString();
    }

    /// <summary>Writes the file atomically with mode 0600 (directory created 0700).</summary>
    public void Save(string path) => ConfigFile.Write(path, ToToml());

    /// <summary>Everything but the private key.</summary>
    public override string ToString()
        => $"ServerConfig {{ ListenPort = {ListenPort}, Address = {Address}, NetworkCidrPrefix = {NetworkCidrPrefix}, "
            + $"DatabaseConnection = {DatabaseConnection ?? "(file)"}, DatabaseReplica = {DatabaseReplica} }}";
}
