using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using Innernet.Core.Contracts;
using Innernet.Core.IO;
using Innernet.Core.Model;
using Innernet.Netlink.WireGuard;
using Microsoft.Data.Sqlite;
using Endpoint = Innernet.Core.Model.Endpoint;

namespace Innernet.Core.Import;

/// <summary>
/// innernet 1.7's server database: a SQLite file (<c>&lt;data-dir&gt;/&lt;iface&gt;.db</c>) with the tables
/// <c>cidrs</c>, <c>peers</c> and <c>associations</c> and <c>PRAGMA user_version = 2</c>. Read for an import (read-only,
/// every row parsed strictly, every problem reported with its table and row id) and written for an export.
/// </summary>
internal static class InnernetDatabase
{
    /// <summary>The <c>user_version</c> innernet 1.7 gives its database (after its last migration).</summary>
    public const int SchemaVersion = 2;

    private const string CreateSchema = """
        CREATE TABLE peers (
          id INTEGER PRIMARY KEY,
          name TEXT NOT NULL UNIQUE,
          ip TEXT NOT NULL UNIQUE,
          public_key TEXT NOT NULL UNIQUE,
          endpoint TEXT,
          cidr_id INTEGER NOT NULL,
          is_admin INTEGER DEFAULT 0 NOT NULL,
          is_disabled INTEGER DEFAULT 0 NOT NULL,
          is_redeemed INTEGER DEFAULT 0 NOT NULL,
          invite_expires INTEGER,
          candidates TEXT,
          FOREIGN KEY (cidr_id) REFERENCES cidrs (id) ON UPDATE RESTRICT ON DELETE RESTRICT
        );
        CREATE TABLE associations (
          id INTEGER PRIMARY KEY,
          cidr_id_1 INTEGER NOT NULL,
          cidr_id_2 INTEGER NOT NULL,
          UNIQUE(cidr_id_1, cidr_id_2),
          FOREIGN KEY (cidr_id_1) REFERENCES cidrs (id) ON UPDATE RESTRICT ON DELETE RESTRICT,
          FOREIGN KEY (cidr_id_2) REFERENCES cidrs (id) ON UPDATE RESTRICT ON DELETE RESTRICT
        );
        CREATE TABLE cidrs (
          id INTEGER PRIMARY KEY,
          name TEXT NOT NULL UNIQUE,
          ip TEXT NOT NULL,
          prefix INTEGER NOT NULL,
          parent INTEGER REFERENCES cidrs,
          UNIQUE(ip, prefix),
          FOREIGN KEY (parent) REFERENCES cidrs (id) ON UPDATE RESTRICT ON DELETE RESTRICT
        );
        """;

    private static readonly string[] CidrColumns = ["id", "name", "ip", "prefix", "parent"];
    private static readonly string[] PeerColumns =
        ["id", "name", "ip", "public_key", "endpoint", "cidr_id", "is_admin", "is_disabled", "is_redeemed", "invite_expires", "candidates"];
    private static readonly string[] AssociationColumns = ["id", "cidr_id_1", "cidr_id_2"];

    /// <summary>
    /// Reads every row of the database at <paramref name="path"/> without changing the file. The rows are parsed, not
    /// yet checked against the network's rules (that is the store's job when it imports them).
    /// </summary>
    /// <exception cref="ValidationException">
    /// The file is missing or not a SQLite database, its schema version is not <see cref="SchemaVersion"/>, a table or
    /// column is missing, or rows hold values that are not what innernet writes; the message lists every such row.
    /// </exception>
    public static InnernetNetwork Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new ValidationException($"innernet database '{path}' does not exist.");
        }

        try
        {
            using var connection = Connect(path, SqliteOpenMode.ReadOnly);
            long version = Scalar(connection, "PRAGMA user_version");
            if (version != SchemaVersion)
            {
                throw new ValidationException(
                    $"innernet database '{path}' has schema version {version}; this import reads version {SchemaVersion} "
                    + "(innernet 1.7). Open it once with innernet-server 1.7 to migrate it, or use a matching import.");
            }

            RequireColumns(connection, path, "cidrs", CidrColumns);
            RequireColumns(connection, path, "peers", PeerColumns);
            RequireColumns(connection, path, "associations", AssociationColumns);

            var problems = new List<string>();
            var network = new InnernetNetwork(
                ReadCidrs(connection, problems), ReadPeers(connection, problems), ReadAssociations(connection, problems));
            if (problems.Count > 0)
            {
                throw new ValidationException(
                    $"innernet database '{path}' holds rows that cannot be imported:{Environment.NewLine}  "
                    + string.Join(Environment.NewLine + "  ", problems));
            }

            return network;
        }
        catch (SqliteException e)
        {
            throw new ValidationException($"Cannot read innernet database '{path}': {e.Message}", e);
        }
    }

    /// <summary>
    /// Writes <paramref name="network"/> as a new innernet 1.7 database at <paramref name="path"/> (mode 0600, synced,
    /// in place only once complete): what innernet-server 1.7 opens as its own.
    /// </summary>
    /// <exception cref="IOException">The file exists or cannot be written.</exception>
    public static void Write(string path, InnernetNetwork network)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(network);
        if (File.Exists(path))
        {
            throw new IOException($"'{path}' already exists; an export does not overwrite a database.");
        }

        string temporary = path + ".export-tmp";
        File.Delete(temporary);
        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        AtomicFile.EnsurePrivateDirectory(directory);
        using (File.Create(temporary, 0, FileOptions.None))
        {
            // Created first so that SQLite opens a file that is already 0600.
        }

        File.SetUnixFileMode(temporary, AtomicFile.PrivateFileMode);
        try
        {
            using (var connection = Connect(temporary, SqliteOpenMode.ReadWrite))
            {
                Execute(connection, "PRAGMA journal_mode = DELETE");
                Execute(connection, "PRAGMA synchronous = FULL");
                using var transaction = connection.BeginTransaction();
                Execute(connection, CreateSchema, transaction);
                foreach (var cidr in network.Cidrs)
                {
                    Execute(connection,
                        "INSERT INTO cidrs (id, name, ip, prefix, parent) VALUES ($id, $name, $ip, $prefix, $parent)", transaction,
                        ("$id", cidr.Id), ("$name", cidr.Name), ("$ip", cidr.Network.BaseAddress.ToString()),
                        ("$prefix", cidr.Network.PrefixLength), ("$parent", cidr.Parent));
                }

                foreach (var peer in network.Peers)
                {
                    Execute(connection,
                        "INSERT INTO peers (id, name, ip, public_key, endpoint, cidr_id, is_admin, is_disabled, is_redeemed, "
                        + "invite_expires, candidates) "
                        + "VALUES ($id, $name, $ip, $key, $endpoint, $cidr, $admin, $disabled, $redeemed, $expires, $candidates)",
                        transaction,
                        ("$id", peer.Id), ("$name", peer.Name), ("$ip", peer.Ip.ToString()), ("$key", peer.PublicKey.ToBase64()),
                        ("$endpoint", peer.Endpoint?.ToString()), ("$cidr", peer.CidrId), ("$admin", peer.IsAdmin ? 1 : 0),
                        ("$disabled", peer.IsDisabled ? 1 : 0), ("$redeemed", peer.IsRedeemed ? 1 : 0),
                        ("$expires", peer.InviteExpires?.ToUnixTimeSeconds()),
                        ("$candidates", JsonSerializer.Serialize(peer.Candidates, InnernetJsonContext.Default.IReadOnlyListEndpoint)));
                }

                foreach (var association in network.Associations)
                {
                    Execute(connection, "INSERT INTO associations (id, cidr_id_1, cidr_id_2) VALUES ($id, $a, $b)", transaction,
                        ("$id", association.Id), ("$a", association.CidrId1), ("$b", association.CidrId2));
                }

                Execute(connection, $"PRAGMA user_version = {SchemaVersion}", transaction);
                transaction.Commit();
            }

            // SQLite synced its commit (synchronous = FULL); the rename and the directory entry follow.
            File.Move(temporary, path);
            AtomicFile.SyncDirectory(directory);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    private static SqliteConnection Connect(string path, SqliteOpenMode mode)
    {
        SQLitePCL.Batteries_V2.Init();
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = mode,
            Pooling = false,
            ForeignKeys = mode != SqliteOpenMode.ReadOnly,
        }.ToString());
        connection.Open();
        return connection;
    }

    private static List<Cidr> ReadCidrs(SqliteConnection connection, List<string> problems)
    {
        var cidrs = new List<Cidr>();
        foreach (var reader in Rows(connection, "SELECT id, name, ip, prefix, parent FROM cidrs ORDER BY id"))
        {
            var row = new Row(reader, "cidrs", problems);
            string? name = row.Text(1, "name");
            string? ip = row.Text(2, "ip");
            long? prefix = row.Integer(3, "prefix");
            long? parent = row.OptionalInteger(4, "parent");
            if (name is null || ip is null || prefix is null || !row.Ok)
            {
                continue;
            }

            if (!IPAddress.TryParse(ip, out var address) || !IPNetwork.TryParse($"{ip}/{prefix}", out var network))
            {
                row.Problem($"ip/prefix '{ip}/{prefix}' is not a CIDR");
                continue;
            }

            if (!network.BaseAddress.Equals(address))
            {
                row.Problem($"ip/prefix '{ip}/{prefix}' has host bits set (the network address is {network.BaseAddress})");
                continue;
            }

            cidrs.Add(new Cidr(row.Id, name, network, parent));
        }

        return cidrs;
    }

    private static List<Peer> ReadPeers(SqliteConnection connection, List<string> problems)
    {
        var peers = new List<Peer>();
        foreach (var reader in Rows(connection,
            "SELECT id, name, ip, public_key, endpoint, cidr_id, is_admin, is_disabled, is_redeemed, invite_expires, candidates "
            + "FROM peers ORDER BY id"))
        {
            var row = new Row(reader, "peers", problems);
            string? name = row.Text(1, "name");
            row.Parse(2, "ip", static (string t, [MaybeNullWhen(false)] out IPAddress v) => IPAddress.TryParse(t, out v),
                "an IP address", out var ip);
            row.Parse<WireGuardKey>(3, "public_key", WireGuardKey.TryParse, "a base64 WireGuard key", out var key);
            Endpoint? endpoint = null;
            if (!row.IsNull(4))
            {
                row.Parse(4, "endpoint", static (string t, [MaybeNullWhen(false)] out Endpoint v) => Endpoint.TryParse(t, out v),
                    "host:port", out endpoint);
            }

            long? cidrId = row.Integer(5, "cidr_id");
            bool? admin = row.Flag(6, "is_admin");
            bool? disabled = row.Flag(7, "is_disabled");
            bool? redeemed = row.Flag(8, "is_redeemed");
            long? expires = row.OptionalInteger(9, "invite_expires");
            var candidates = row.Candidates(10);
            if (!row.Ok)
            {
                continue;
            }

            peers.Add(new Peer
            {
                Id = row.Id,
                Name = name!,
                Ip = ip!,
                CidrId = cidrId!.Value,
                PublicKey = key,
                Endpoint = endpoint,
                IsAdmin = admin!.Value,
                IsDisabled = disabled!.Value,
                IsRedeemed = redeemed!.Value,
                InviteExpires = expires is { } seconds ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null,
                Candidates = candidates!,
            });
        }

        return peers;
    }

    private static List<Association> ReadAssociations(SqliteConnection connection, List<string> problems)
    {
        var associations = new List<Association>();
        foreach (var reader in Rows(connection, "SELECT id, cidr_id_1, cidr_id_2 FROM associations ORDER BY id"))
        {
            var row = new Row(reader, "associations", problems);
            long? a = row.Integer(1, "cidr_id_1");
            long? b = row.Integer(2, "cidr_id_2");
            if (row.Ok)
            {
                associations.Add(new Association(row.Id, a!.Value, b!.Value));
            }
        }

        return associations;
    }

    private static void RequireColumns(SqliteConnection connection, string path, string table, string[] columns)
    {
        var present = Rows(connection, $"SELECT name FROM pragma_table_info('{table}')")
            .Select(r => r.GetString(0)).ToHashSet(StringComparer.Ordinal);

        if (present.Count == 0)
        {
            throw new ValidationException($"innernet database '{path}' has no table '{table}'.");
        }

        if (columns.Where(c => !present.Contains(c)).ToList() is { Count: > 0 } missing)
        {
            throw new ValidationException($"innernet database '{path}': table '{table}' lacks the column(s) {string.Join(", ", missing)}.");
        }
    }

    private static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>Each row of a query, the reader positioned on it (valid until the next row).</summary>
    private static IEnumerable<SqliteDataReader> Rows(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
#pragma warning disable CA2100 // Every statement is a constant of this class.
        command.CommandText = sql;
#pragma warning restore CA2100
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            yield return reader;
        }
    }

    private static void Execute(
        SqliteConnection connection, string sql, SqliteTransaction? transaction = null, params (string Name, object? Value)[] parameters)
    {
        using var command = connection.CreateCommand();
#pragma warning disable CA2100 // Every statement is a constant of this class; values go in as parameters.
        command.CommandText = sql;
#pragma warning restore CA2100
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        command.ExecuteNonQuery();
    }

    private delegate bool TryParse<T>(string text, [MaybeNullWhen(false)] out T value);

    /// <summary>One row being read: typed access by column that records a problem (table, id, column, value) instead of throwing.</summary>
    private sealed class Row(SqliteDataReader reader, string table, List<string> problems)
    {
        private readonly int _before = problems.Count;

        public long Id { get; } = reader.GetFieldType(0) == typeof(long) ? reader.GetInt64(0) : -1;

        public bool Ok => problems.Count == _before;

        public bool IsNull(int column) => reader.IsDBNull(column);

        public void Problem(string what) => problems.Add($"{table} row id {Id}: {what}");

        public string? Text(int column, string name)
        {
            if (reader.IsDBNull(column) || reader.GetFieldType(column) != typeof(string))
            {
                Problem($"{name} is {Describe(column)}, not text");
                return null;
            }

            return reader.GetString(column);
        }

        public long? Integer(int column, string name)
        {
            if (reader.IsDBNull(column) || reader.GetFieldType(column) != typeof(long))
            {
                Problem($"{name} is {Describe(column)}, not an integer");
                return null;
            }

            return reader.GetInt64(column);
        }

        public long? OptionalInteger(int column, string name) => reader.IsDBNull(column) ? null : Integer(column, name);

        public bool? Flag(int column, string name)
        {
            if (Integer(column, name) is not { } value)
            {
                return null;
            }

            if (value is not (0 or 1))
            {
                Problem($"{name} is {value}, not 0 or 1");
                return null;
            }

            return value == 1;
        }

        /// <summary>A text column parsed by <paramref name="parse"/>; false (and a problem recorded) when it is not text or does not
        /// parse.</summary>
        public bool Parse<T>(int column, string name, TryParse<T> parse, string expected, [MaybeNullWhen(false)] out T value)
        {
            value = default;
            if (Text(column, name) is not { } text)
            {
                return false;
            }

            if (!parse(text, out value))
            {
                Problem($"{name} '{Shorten(text)}' is not {expected}");
                return false;
            }

            return true;
        }

        /// <summary>innernet keeps candidates as a JSON array of endpoint strings; NULL (older rows) means none.</summary>
        public IReadOnlyList<Endpoint>? Candidates(int column)
        {
            if (reader.IsDBNull(column))
            {
                return [];
            }

            if (Text(column, "candidates") is not { } text)
            {
                return null;
            }

            try
            {
                return JsonSerializer.Deserialize(text, InnernetJsonContext.Default.IReadOnlyListEndpoint)
                    ?? throw new JsonException("null is not a list");
            }
            catch (JsonException e)
            {
                Problem($"candidates '{Shorten(text)}' is not a JSON list of host:port endpoints ({e.Message})");
                return null;
            }
        }

        private string Describe(int column) => reader.IsDBNull(column) ? "NULL" : $"a {reader.GetDataTypeName(column)} value";

        private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";
    }
}
