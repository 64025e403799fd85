namespace Innernet.Scenarios.Tests;

/// <summary>
/// <c>serve</c> on PostgreSQL: a network created with <c>new --database</c> (a throw-away cluster's schema), two peers
/// redeem their invitations through the API and ping each other; the redeemed keys are rows in PostgreSQL, and a restarted
/// server serves the same network from there.
/// </summary>
[Trait(Layers.Name, Layers.Host)]
public sealed class PostgreSqlServeScenario(PostgreSqlCluster cluster) : Scenario(ScenarioBackend.Userspace),
    IClassFixture<PostgreSqlCluster>
{
    [Fact]
    public async Task ServeOnPostgreSql_PeersJoinAndPing_StateSurvivesARestart()
    {
        cluster.Require();
        string connection = cluster.NewSchema();
        string schema = connection[(connection.LastIndexOf('=') + 1)..];
        using var net = NewNetwork("10.84.0.0/16");
        net.Create("--database", connection);
        net.AddCidr("humans", "10.84.1.0/24");
        var a = net.InvitePeer("a", "humans");
        var b = net.InvitePeer("b", "humans");
        await net.ServeAsync(Ct);
        await net.InstallAsync(Ct, a, b);
        await net.FetchAsync(Ct);

        Assert.True(net.Ping(a.Namespace, b.Ip), $"a pings b\n{net.ServerLog()}");
        Assert.Equal("a|t\nb|t", cluster.Sql($"SELECT name, is_redeemed FROM {schema}.peers WHERE id > 1 ORDER BY id").Trim());
        Log("serve on PostgreSQL: a and b redeemed (rows in PostgreSQL) and ping each other");

        Assert.Equal(0, net.StopServe());
        await net.ServeAsync(Ct);
        var state = net.ReadState();
        Assert.Equal(["innernet-server", "a", "b"], state.Peers.OrderBy(p => p.Id).Select(p => p.Name));
        await net.FetchAsync(Ct);
        Assert.True(net.Ping(b.Namespace, a.Ip), $"after the restart b pings a\n{net.ServerLog()}");
        Log("restarted serve reads the same network back from PostgreSQL; fetch and ping work");
    }
}
