using System.Globalization;
using System.Text.Json;
using Innernet.Core.Config;
using Innernet.Core.Import;
using Innernet.Core.Model;
using Innernet.Core.Persistence;
using Innernet.Core.Tests.Persistence;
using Innernet.Testing;
using Microsoft.Data.Sqlite;

namespace Innernet.Core.Tests.Import;

/// <summary>
/// Import of the database and config that innernet 1.7.1 itself wrote (tests/Innernet.Testing/Fixtures). The
/// expected rows come from innernet's own answers recorded in the same network (<c>api/admin-*.json</c>) and from
/// raw SQL on its file, not from the importer's reader.
/// </summary>
public sealed class InnernetImportTests
{
    [Fact]
    public void Import_InnernetsOwnFiles_KeepsEveryRowWithItsId()
    {
        using var temp = new TempDatabase();
        var result = InnernetImport.Run(Request(temp));

        Assert.Equal(new ImportResult(7, 6, 1, 1, 2, true, null), result);
        using var store = ServerStore.Open(temp.Path);
        var innernetCidrs = Recorded<List<Cidr>>("admin-cidrs.json");
        var innernetAssociations = Recorded<List<Association>>("admin-associations.json");
        var innernetPeers = Recorded<List<Peer>>("admin-peers.json");
        Assert.Equal(innernetCidrs.OrderBy(c => c.Id), store.ListCidrs());
        Assert.Equal(innernetAssociations.OrderBy(a => a.Id), store.ListAssociations());

        // innernet serves peers with keepalive 25 and the observed endpoint injected: compare what it stores.
        var stored = store.ListPeers();
        Assert.Equal(innernetPeers.Count, stored.Count);
        foreach (var expected in innernetPeers)
        {
            var actual = store.GetPeer(expected.Id);
            Assert.NotNull(actual);
            Assert.Equal(
                (expected.Name, expected.Ip, expected.CidrId, expected.PublicKey, expected.IsAdmin, expected.IsDisabled,
                    expected.IsRedeemed,
                    expected.InviteExpires),
                (actual.Name, actual.Ip, actual.CidrId, actual.PublicKey, actual.IsAdmin, actual.IsDisabled, actual.IsRedeemed,
                    actual.InviteExpires));
            var (endpoint, candidates) = RawEndpointAndCandidates(expected.Id);
            Assert.Equal(endpoint, actual.Endpoint?.ToString());
            Assert.Equal(candidates, actual.Candidates.Select(c => c.ToString()));
        }
    }

    [Fact]
    public void Import_CopiesTheServerConfigUnchanged()
    {
        using var temp = new TempDatabase();
        InnernetImport.Run(Request(temp));

        string target = Path.Combine(temp.Directory, "evilcorp.conf");
        Assert.Equal(ServerConfig.Parse(File.ReadAllText(InnernetFixtures.ServerConfig)), ServerConfig.Load(target).Config);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(target));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(temp.Path));
    }

    [Fact]
    public void Import_IdsContinueAfterTheHighestImported()
    {
        using var temp = new TempDatabase();
        InnernetImport.Run(Request(temp));
        using var store = ServerStore.Open(temp.Path);

        var cidr = store.AddCidr(new CidrContents("lab", IPNetwork.Parse("10.66.4.0/24"), Cidr.RootId));
        var peer = store.AddPeer(new PeerContents
        {
            Name = "p9",
            Ip = IPAddress.Parse("10.66.4.1"),
            CidrId = cidr.Id,
            PublicKey = TestKeys.Numbered(9),
        });
        var association = store.AddAssociation(new AssociationContents(cidr.Id, 3));

        Assert.Equal((8L, 7L, 3L), (cidr.Id, peer.Id, association.Id));
    }

    [Fact]
    public void Check_ReportsAndWritesNothing()
    {
        using var temp = new TempDatabase();
        var result = InnernetImport.Run(Request(temp) with { CheckOnly = true });

        Assert.False(result.Written);
        Assert.Equal((7, 6, 2), (result.Cidrs, result.Peers, result.Associations));
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.Directory));
    }

    [Theory]
    [InlineData("PRAGMA user_version = 3", "schema version 3")]
    [InlineData("UPDATE peers SET ip = '10.66.2.9' WHERE id = 3 AND 0", "")]
    [InlineData("UPDATE peers SET ip = '10.66.9.9' WHERE id = 3", "peers row id 3 (p2): IP 10.66.9.9 of peer 'p2' is not inside its CIDR")]
    [InlineData("UPDATE peers SET cidr_id = 99 WHERE id = 4", "peers row id 4 (p3): CIDR 99 of peer 'p3' does not exist")]
    [InlineData("UPDATE peers SET public_key = 'not a key' WHERE id = 5",
        "peers row id 5: public_key 'not a key' is not a base64 WireGuard key")]
    [InlineData("UPDATE peers SET name = 'Bad_Name' WHERE id = 6", "peers row id 6 (Bad_Name):")]
    [InlineData("UPDATE peers SET is_admin = 7 WHERE id = 2", "peers row id 2: is_admin is 7, not 0 or 1")]
    [InlineData("UPDATE peers SET candidates = '[1,2]' WHERE id = 2", "peers row id 2: candidates '[1,2]' is not a JSON list")]
    [InlineData("UPDATE cidrs SET ip = '10.66.1.7' WHERE id = 3", "cidrs row id 3: ip/prefix '10.66.1.7/24' has host bits set")]
    [InlineData("UPDATE cidrs SET parent = 7 WHERE id = 6", "cidrs row id 6 (datacenter): its parents form a cycle")]
    [InlineData("UPDATE associations SET cidr_id_2 = 42 WHERE id = 2", "associations row id 2: cidr_id_2: CIDR 42 does not exist")]
    [InlineData("DROP TABLE associations", "has no table 'associations'")]
    public void Import_RowOurRulesRefuse_IsReportedAndNothingIsWritten(string sql, string expected)
    {
        using var temp = new TempDatabase();
        string source = Path.Combine(temp.Directory, "source");
        Directory.CreateDirectory(source);
        string database = Path.Combine(source, InnernetFixtures.Network + ".db");
        File.Copy(InnernetFixtures.ServerDatabase, database);
        Sql(database, sql);
        var request = Request(temp) with { SourceDatabase = database };

        if (expected.Length == 0)
        {
            InnernetImport.Run(request with { CheckOnly = true }); // the control row: a no-op change imports
            return;
        }

        var error = Assert.Throws<ValidationException>(() => InnernetImport.Run(request));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(temp.Path));
        Assert.False(File.Exists(Path.Combine(temp.Directory, "evilcorp.conf")));
    }

    [Fact]
    public void Import_ConfigOfAnotherNetwork_IsRefused()
    {
        using var temp = new TempDatabase();
        string config = Path.Combine(temp.Directory, "other.conf");
        File.WriteAllText(config, new ServerConfig(Innernet.Testing.TestKeys.RandomKey(), 51820, IPAddress.Parse("10.66.0.1"),
            16).ToToml());

        var error = Assert.Throws<ValidationException>(() => InnernetImport.Run(Request(temp) with { SourceConfig = config }));

        Assert.Contains("peers row id 1 (innernet-server): the server peer's public key is not the one of the config's private key",
            error.Message,
            StringComparison.Ordinal);
        Assert.False(File.Exists(temp.Path));
    }

    [Fact]
    public void Import_InPlace_KeepsInnernetsDatabaseAside()
    {
        using var temp = new TempDatabase();
        string database = Path.Combine(temp.Directory, "fxnet.db");
        string config = Path.Combine(temp.Directory, "fxnet.conf");
        File.Copy(InnernetFixtures.ServerDatabase, database);
        File.Copy(InnernetFixtures.ServerConfig, config);
        byte[] original = File.ReadAllBytes(database);

        var result = InnernetImport.Run(new ImportRequest(config, database, config, database, CheckOnly: false));

        Assert.Equal(database + InnernetImport.BackupSuffix, result.Backup);
        Assert.Equal(original, File.ReadAllBytes(result.Backup!));
        using var store = ServerStore.Open(database);
        Assert.Equal(6, store.ListPeers().Count);
    }

    [Fact]
    public void Import_OntoAnExistingStore_IsRefused()
    {
        using var temp = new TempDatabase();
        InnernetImport.Run(Request(temp));
        byte[] before = File.ReadAllBytes(temp.Path);

        Assert.Throws<StoreException>(() => InnernetImport.Run(Request(temp)));
        Assert.Equal(before, File.ReadAllBytes(temp.Path));
    }

    [Fact]
    public void Read_DoesNotChangeTheFile()
    {
        using var temp = new TempDatabase();
        string database = Path.Combine(temp.Directory, "fxnet.db");
        File.Copy(InnernetFixtures.ServerDatabase, database);
        File.SetUnixFileMode(database, UnixFileMode.UserRead);
        byte[] before = File.ReadAllBytes(database);

        var network = InnernetDatabase.Read(database);

        Assert.Equal(6, network.Peers.Count);
        Assert.Equal(before, File.ReadAllBytes(database));
        Assert.Equal(["fxnet.db"], Directory.EnumerateFiles(temp.Directory).Select(Path.GetFileName));
    }

    private static ImportRequest Request(TempDatabase temp) => new(
        InnernetFixtures.ServerConfig, InnernetFixtures.ServerDatabase, Path.Combine(temp.Directory, "evilcorp.conf"), temp.Path,
            CheckOnly: false);

    private static T Recorded<T>(string file) => Core.Contracts.InnernetJson.Deserialize<T>(File.ReadAllText(InnernetFixtures.Api(file)));

    /// <summary>The endpoint and candidates columns as innernet wrote them, by raw SQL.</summary>
    private static (string? Endpoint, List<string> Candidates) RawEndpointAndCandidates(long id)
    {
        using var connection = Open(InnernetFixtures.ServerDatabase, SqliteOpenMode.ReadOnly);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT endpoint, candidates FROM peers WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());
        string? endpoint = reader.IsDBNull(0) ? null : reader.GetString(0);
        var candidates = reader.IsDBNull(1) ? [] : JsonSerializer.Deserialize<List<string>>(reader.GetString(1))!;
        return (endpoint, candidates);
    }

    private static void Sql(string database, string sql)
    {
        using var connection = Open(database, SqliteOpenMode.ReadWrite);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static SqliteConnection Open(string path, SqliteOpenMode mode)
    {
        SQLitePCL.Batteries_V2.Init();
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = mode,
            Pooling = false }.ToString());
        connection.Open();
        return connection;
    }
}

/// <summary>The way back: import, export, and the exported file holds innernet's rows exactly (raw SQL on both files).</summary>
public sealed class InnernetExportTests
{
    private const string Everything = """
        SELECT 'cidr', id, name, ip, prefix, parent, NULL, NULL, NULL, NULL, NULL FROM cidrs
        UNION ALL SELECT 'peer', id, name, ip, public_key, endpoint, cidr_id, is_admin, is_disabled, is_redeemed,
          invite_expires || ' ' || candidates FROM peers
        UNION ALL SELECT 'association', id, cidr_id_1, cidr_id_2, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM associations
        ORDER BY 1, 2
        """;

    [Fact]
    public void ImportThenExport_GivesInnernetItsOwnRowsBack()
    {
        using var temp = new TempDatabase();
        InnernetImport.Run(new ImportRequest(
            InnernetFixtures.ServerConfig, InnernetFixtures.ServerDatabase, Path.Combine(temp.Directory, "evilcorp.conf"), temp.Path,
                false));
        string exported = Path.Combine(temp.Directory, "exported.db");
        using (var store = ServerStore.Open(temp.Path))
        {
            InnernetExport.Run(store, exported);
        }

        Assert.Equal(Dump(InnernetFixtures.ServerDatabase), Dump(exported));
        Assert.Equal(InnernetDatabase.SchemaVersion,
            Convert.ToInt32(Query(exported, "PRAGMA user_version")[0][0], CultureInfo.InvariantCulture));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(exported));
    }

    [Fact]
    public void Export_NeverOverwrites()
    {
        using var temp = new TempDatabase();
        InnernetImport.Run(new ImportRequest(
            InnernetFixtures.ServerConfig, InnernetFixtures.ServerDatabase, Path.Combine(temp.Directory, "evilcorp.conf"), temp.Path,
                false));
        string exported = Path.Combine(temp.Directory, "exported.db");
        File.WriteAllText(exported, "precious");
        using var store = ServerStore.Open(temp.Path);

        Assert.Throws<IOException>(() => InnernetExport.Run(store, exported));
        Assert.Equal("precious", File.ReadAllText(exported));
    }

    private static List<string> Dump(string path) => [.. Query(path, Everything).Select(row => string.Join("|", row))];

    private static List<object?[]> Query(string path, string sql)
    {
        SQLitePCL.Batteries_V2.Init();
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false,
        }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (int i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }
}
