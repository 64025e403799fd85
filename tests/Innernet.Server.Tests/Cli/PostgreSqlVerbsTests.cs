using Innernet.Cli;
using Innernet.Core.Config;
using Innernet.Core.Persistence;
using Innernet.Server.PostgreSql;
using Innernet.Testing;

namespace Innernet.Server.Tests.Cli;

/// <summary><c>new --database</c>, the verbs on a network kept in PostgreSQL, and <c>migrate</c> between the engines.</summary>
[Trait(Layers.Name, Layers.Host)]
public sealed class PostgreSqlVerbsTests(PostgreSqlCluster cluster) : IClassFixture<PostgreSqlCluster>
{
    [Fact]
    public async Task New_WithDatabase_KeepsTheNetworkInPostgreSqlAndTheConfigPointsThere()
    {
        cluster.Require();
        using var cli = new CliHarness();
        string connection = cluster.NewSchema();

        await NewInPostgreSqlAsync(cli, connection);
        (await cli.RunAsync("add-cidr", cli.Interface, "--name", "humans", "--cidr", "10.66.1.0/24", "--parent", cli.Interface, "--yes"))
            .AssertOk();
        (await cli.RunAsync("add-peer", cli.Interface, "--name", "alice", "--cidr", "humans", "--admin", "false", "--auto-ip",
            "--save-config", cli.File("alice.toml"), "--invite-expires", "1d", "--yes")).AssertOk();

        Assert.False(File.Exists(cli.Database));
        Assert.Equal(connection, ServerConfig.Load(cli.ConfigFile).Config.DatabaseConnection);
        string schema = connection[(connection.LastIndexOf('=') + 1)..];
        Assert.Equal("alice|10.66.1.1", cluster.Sql($"SELECT name, ip FROM {schema}.peers WHERE id = 2").Trim());
        Assert.Contains("alice", (await cli.RunAsync("list-peers", cli.Interface)).AssertOk().Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_FileToPostgreSqlAndBack_CopiesEverythingChecked()
    {
        cluster.Require();
        using var cli = new CliHarness();
        await cli.CreateNetworkAsync();
        foreach (string name in (string[])["alice", "bob"])
        {
            (await cli.RunAsync("add-peer", cli.Interface, "--name", name, "--cidr", "humans", "--admin", "false", "--auto-ip",
                "--save-config", cli.File(name + ".toml"), "--invite-expires", "1d", "--yes")).AssertOk();
        }

        (await cli.RunAsync("delete-peer", cli.Interface, "--name", "bob", "--yes")).AssertOk();
        string before = (await cli.RunAsync("list-peers", cli.Interface, "--json")).AssertOk().Out;
        string connection = cluster.NewSchema();

        var toPostgres = (await cli.RunAsync("migrate", cli.Interface, "--to", connection)).AssertOk();

        Assert.Contains("compared them: 3 CIDRs, 2 peers, 0 associations, 1 reserved IPs", toPostgres.Out, StringComparison.Ordinal);
        Assert.Equal(connection, ServerConfig.Load(cli.ConfigFile).Config.DatabaseConnection);
        Assert.Equal(before, (await cli.RunAsync("list-peers", cli.Interface, "--json")).AssertOk().Out);
        // The copy goes on from the same ids and the same reservation.
        (await cli.RunAsync("add-peer", cli.Interface, "--name", "carol", "--cidr", "humans", "--admin", "false", "--auto-ip",
            "--save-config", cli.File("carol.toml"), "--invite-expires", "1d", "--yes")).AssertOk();
        string schema = connection[(connection.LastIndexOf('=') + 1)..];
        Assert.Equal("4|10.66.1.3", cluster.Sql($"SELECT id, ip FROM {schema}.peers WHERE name = 'carol'").Trim());

        // Back into the file: the old one is still there, so the copy is refused until it is moved away.
        (await cli.RunAsync("migrate", cli.Interface, "--to", cli.Database)).AssertFails((int)ExitCode.Failure, "already exists");
        File.Move(cli.Database, cli.Database + ".old");
        var toFile = (await cli.RunAsync("migrate", cli.Interface, "--to", cli.Database)).AssertOk();

        Assert.Contains("3 peers", toFile.Out, StringComparison.Ordinal);
        Assert.Null(ServerConfig.Load(cli.ConfigFile).Config.DatabaseConnection);
        Assert.Contains("carol", (await cli.RunAsync("list-peers", cli.Interface)).AssertOk().Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_TargetHoldingANetwork_IsRefusedAndTheConfigIsKept()
    {
        cluster.Require();
        using var cli = new CliHarness();
        await cli.CreateNetworkAsync();
        string connection = cluster.NewSchema();
        (await cli.RunAsync("migrate", cli.Interface, "--to", connection)).AssertOk();
        File.Move(cli.ConfigFile, cli.ConfigFile + ".pg");
        File.Move(cli.Database, cli.Database + ".old");
        await cli.CreateNetworkAsync();

        (await cli.RunAsync("migrate", cli.Interface, "--to", connection))
            .AssertFails((int)ExitCode.Failure, "already holds innernet tables");

        Assert.Null(ServerConfig.Load(cli.ConfigFile).Config.DatabaseConnection);
    }

    [Fact]
    public async Task Verbs_WithReplicaInTheConfig_ShareTheDatabaseWithARunningReplica()
    {
        cluster.Require();
        using var cli = new CliHarness();
        string connection = cluster.NewSchema();
        await NewInPostgreSqlAsync(cli, connection);
        var config = ServerConfig.Load(cli.ConfigFile).Config;
        (config with { DatabaseReplica = true }).Save(cli.ConfigFile);
        using var replica = ServerStore.Open(PostgreSqlStoreEngine.Connect(connection, replica: true));

        (await cli.RunAsync("add-cidr", cli.Interface, "--name", "humans", "--cidr", "10.66.1.0/24", "--parent", cli.Interface, "--yes"))
            .AssertOk();

        await Eventually.TrueAsync(() => replica.ListCidrs().Any(c => c.Name == "humans"), "the replica to see the verb's write");
        (config with { DatabaseReplica = false }).Save(cli.ConfigFile);
        (await cli.RunAsync("list-cidrs", cli.Interface)).AssertFails((int)ExitCode.Failure, "in use by another innernet-server");
    }

    /// <summary><c>new --database <paramref name="connection"/></c>: the network 10.66.0.0/16 in that schema.</summary>
    private static async Task NewInPostgreSqlAsync(CliHarness cli, string connection)
        => (await cli.RunAsync("new", "--network-name", cli.Interface, "--network-cidr", "10.66.0.0/16", "--external-endpoint",
            "198.18.0.1:51820", "--listen-port", "51820", "--database", connection)).AssertOk();

    [Fact]
    public async Task New_DatabaseWithPassword_IsRefusedBeforeAnythingIsWritten()
    {
        using var cli = new CliHarness();

        var run = await cli.RunAsync("new", "--network-name", cli.Interface, "--network-cidr", "10.66.0.0/16", "--external-endpoint",
            "198.18.0.1:51820", "--listen-port", "51820", "--database", "postgresql://innernet:secret@/innernet?host=/run/postgresql");

        run.AssertFails((int)ExitCode.Usage, "a password does not belong in the connection");
        Assert.DoesNotContain("secret", run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(cli.ConfigFile));
    }
}
