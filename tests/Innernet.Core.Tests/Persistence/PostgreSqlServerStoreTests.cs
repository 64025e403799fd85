using Innernet.Core.Keys;
using Innernet.Core.Model;
using Innernet.Core.Persistence;
using Innernet.Server.PostgreSql;
using Innernet.Testing;
using static Innernet.Core.Tests.Persistence.StoreTestSupport;

namespace Innernet.Core.Tests.Persistence;

/// <summary>
/// The store contract suite on PostgreSQL (a schema of a throw-away cluster per database), plus what only this engine has:
/// its schema and constraints, the one-writer lock, schema versions.
/// </summary>
[Trait(Layers.Name, Layers.Host)]
public sealed class PostgreSqlServerStoreTests(PostgreSqlCluster cluster) : ServerStoreTests, IClassFixture<PostgreSqlCluster>
{
    protected override StoreDatabase CreateDatabase()
    {
        cluster.Require();
        return new PostgreSqlTestDatabase(cluster.NewSchema());
    }

    [Fact]
    public void Create_DatabaseHoldingANetwork_IsRefusedAndLeavesItAlone()
    {
        var database = NewDatabase();
        database.Create(Network).Dispose();

        var e = Assert.Throws<StoreException>(() => database.Create(Network with { Name = "other" }));

        Assert.Contains("already holds innernet tables", e.Message, StringComparison.Ordinal);
        using var store = database.Open();
        Assert.Equal("evilcorp", store.GetCidr(Cidr.RootId)!.Name);
    }

    [Fact]
    public void Open_WhileAnotherStoreHasTheDatabase_IsRefused()
    {
        var database = NewDatabase();
        using var first = database.Create(Network);

        var e = Assert.Throws<StoreException>(database.Open);

        Assert.Contains("in use by another innernet-server", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_EmptyDatabase_ThrowsStoreExceptionNoNetwork()
    {
        var e = Assert.Throws<StoreException>(NewDatabase().Open);
        Assert.Contains("no schema_version table", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_NewerSchemaVersion_ThrowsStoreExceptionNamingBothVersions()
    {
        var database = (PostgreSqlTestDatabase)NewDatabase();
        database.Create(Network).Dispose();
        cluster.Sql($"UPDATE {database.Schema}.schema_version SET version = {PostgreSqlSchema.CurrentVersion + 1}");

        var e = Assert.Throws<StoreException>(database.Open);

        string expected = $"schema version {PostgreSqlSchema.CurrentVersion + 1}, newer than the {PostgreSqlSchema.CurrentVersion}";
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_SchemaVersion1_MigratesToTheKeyHistoryAndKeepsTheRows()
    {
        // A database as the first release wrote it: version 1, no key_rotations or replicas table.
        var database = (PostgreSqlTestDatabase)NewDatabase();
        KeyPair old = KeyPair.Generate(), next = KeyPair.Generate();
        Peer laptop;
        using (var store = database.Create(Network))
        {
            laptop = store.AddPeer(NewPeer("laptop", "10.42.1.1", AddHumans(store).Id, key: old.Public));
        }

        cluster.Sql($"DROP TABLE {database.Schema}.key_rotations, {database.Schema}.replicas, {database.Schema}.peer_changes; "
            + $"DROP FUNCTION {database.Schema}.log_peer_change CASCADE; "
            + $"ALTER TABLE {database.Schema}.store_state DROP COLUMN peer_changes_from; "
            + $"UPDATE {database.Schema}.schema_version SET version = 1");

        using (var store = database.Open())
        {
            Assert.Equal(laptop, store.GetPeer(laptop.Id));
            store.RotateKey(laptop.Id, KeyRotationProof.Create(old.Private, ServerKey, laptop.Ip, next.Public, 1));
        }

        Assert.Equal($"{PostgreSqlSchema.CurrentVersion}|t", cluster.Sql(
            $"SELECT version, to_regclass('{database.Schema}.replicas') IS NOT NULL FROM {database.Schema}.schema_version").Trim());
        Assert.Equal($"{laptop.Id}|1|{old.Public.ToBase64()}|{next.Public.ToBase64()}", cluster.Sql(
            $"SELECT peer_id, generation, old_public_key, public_key FROM {database.Schema}.key_rotations").Trim());
        using var reopened = database.Open();
        Assert.Equal(next.Public, reopened.GetPeer(laptop.Id)!.PublicKey);
        Assert.Equal(old.Public, Assert.Single(reopened.GetPeer(laptop.Id)!.KeyRotations).OldPublicKey);
    }

    [Fact]
    public void Create_Schema_StoresInnernetTextFormsAndCounters()
    {
        var database = (PostgreSqlTestDatabase)NewDatabase();
        using (var store = database.Create(Network))
        {
            var humans = AddHumans(store);
            store.AddPeer(NewPeer("laptop", "10.42.1.1", humans.Id, key: Key(1), candidates: Endpoints(2)));
        }

        string row = cluster.Sql($"SELECT ip, public_key, candidates, endpoint FROM {database.Schema}.peers WHERE name = 'laptop'");
        Assert.Equal($"10.42.1.1|{Key(1).ToBase64()}|{{192.0.2.1:51820,192.0.2.2:51820}}|", row.Trim());
        Assert.Equal($"{PostgreSqlSchema.CurrentVersion}|3|2|0", cluster.Sql(
            $"SELECT (SELECT version FROM {database.Schema}.schema_version), last_cidr_id, last_peer_id, last_association_id "
            + $"FROM {database.Schema}.store_state").Trim());
    }

    [Theory]
    [InlineData("name", "'innernet-server'")]
    [InlineData("ip", "'10.42.0.1'")]
    [InlineData("public_key", "(SELECT public_key FROM peers WHERE id = 1)")]
    public void UniqueConstraint_DuplicateInsertedBehindTheStoresBack_IsRefusedByPostgreSql(string column, string value)
    {
        var database = (PostgreSqlTestDatabase)NewDatabase();
        database.Create(Network).Dispose();
        string[] columns = ["name", "ip", "public_key"];
        string values = string.Join(", ", columns.Select(c => c == column ? value : $"'other-{c}'"));

        var e = Assert.Throws<InvalidOperationException>(() => cluster.Sql(
            $"SET search_path = {database.Schema}; INSERT INTO peers (id, name, ip, public_key, cidr_id, is_admin, is_disabled, "
            + $"is_redeemed) VALUES (99, {values}, 2, false, false, true)"));

        Assert.Contains("duplicate key value violates unique constraint", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IdCounters_LoweredBehindTheStoresBack_AreRefusedByPostgreSql()
    {
        var database = (PostgreSqlTestDatabase)NewDatabase();
        database.Create(Network).Dispose();

        var e = Assert.Throws<InvalidOperationException>(() => cluster.Sql($"UPDATE {database.Schema}.store_state SET last_peer_id = 0"));

        Assert.Contains("ids are never reused", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_AfterAnotherWriterChangedTheDatabase_IsRefusedAndTheStoreResyncs()
    {
        var database = (PostgreSqlTestDatabase)NewDatabase();
        using var store = database.Create(Network);
        var humans = AddHumans(store);
        // Another writer (here: psql behind the store's back) commits a change the store has not read.
        cluster.Sql($"SET search_path = {database.Schema}; UPDATE store_state SET generation = generation + 1; "
            + $"UPDATE cidrs SET name = 'people' WHERE id = {humans.Id}");

        var e = Assert.Throws<StoreException>(() => store.AddPeer(NewPeer("laptop", "10.42.1.1", humans.Id)));

        Assert.Contains("changed by another writer", e.Message, StringComparison.Ordinal);
        Assert.Equal("people", store.GetCidr(humans.Id)!.Name);
        Assert.Empty(cluster.Sql($"SELECT name FROM {database.Schema}.peers WHERE name = 'laptop'").Trim());
        var laptop = store.AddPeer(NewPeer("laptop", "10.42.1.1", humans.Id));
        Assert.Equal(2, laptop.Id);
        Assert.Equal("laptop", cluster.Sql($"SELECT name FROM {database.Schema}.peers WHERE id = 2").Trim());
    }

    /// <summary>A schema of the cluster, as the connection's search path.</summary>
    private sealed class PostgreSqlTestDatabase(string connection) : StoreDatabase
    {
        public string Schema { get; } = connection[(connection.LastIndexOf('=') + 1)..];

        public override ServerStore Create(NewNetwork network) => ServerStore.Create(PostgreSqlStoreEngine.Connect(connection), network);

        public override ServerStore Open() => ServerStore.Open(PostgreSqlStoreEngine.Connect(connection));
    }
}
