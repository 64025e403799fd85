using Innernet.Core.Persistence;
using Innernet.Server.Api.Live;
using Innernet.Server.PostgreSql;

namespace Innernet.Server.Tests.Live;

/// <summary>
/// Two in-process servers on real Kestrel, replicas on one PostgreSQL schema of a throw-away cluster: a write through one
/// server's API reaches what follows the other server's store — its live streams and its WireGuard seam — as a local
/// write would.
/// </summary>
[Trait(Layers.Name, Layers.Host)]
public sealed class ReplicaFeedTests(PostgreSqlCluster cluster) : IClassFixture<PostgreSqlCluster>
{
    [Fact]
    public async Task AdminWriteThroughReplicaA_ReachesTheLiveStreamsAndPeerSyncOfReplicaB()
    {
        cluster.Require();
        string connection = cluster.NewSchema();
        await using var a = await ApiServer.StartAsync(
            createStore: network => ServerStore.Create(PostgreSqlStoreEngine.Connect(connection, replica: true), network));
        await using var b = await ApiServer.StartReplicaAsync(
            a, ServerStore.Open(PostgreSqlStoreEngine.Connect(connection, replica: true)));
        await using var stream = await StateStreamClient.OpenAsync(b.Developer1());
        var first = await stream.ReadMessageAsync();

        var response = await a.Admin().PostJson(
            "/v1/admin/peers", ApiServer.NewPeer("developer3", a.Network.FreeDeveloperIp, TestNetwork.DeveloperCidrId));
        response.EnsureSuccessStatusCode();
        var added = await response.ReadJsonAsync<Peer>();

        // B's store reads the commit, its feed hears of it and makes a pass once B's (manual) clock has moved on.
        await Eventually.TrueAsync(() => added.Equals(b.Store.GetPeer(added.Id)), "replica B's store to read replica A's write");
        var next = stream.ReadMessageAsync();
        await Eventually.TrueAsync(
            () =>
            {
                b.Time.Advance(StateFeed.QuietPeriod);
                return next.IsCompleted;
            },
            "replica B's stream to send the change");
        var update = await next;

        Assert.False(update.Full);
        Assert.Equal(first.Version, update.Since);
        Assert.Equal(added.Id, Assert.Single(update.Peers).Id);
        Assert.Empty(update.Removed);
        Assert.Contains("committed elsewhere", b.PeerSync.Calls);
        Assert.DoesNotContain("committed elsewhere", a.PeerSync.Calls);
        Assert.DoesNotContain("added developer3", b.PeerSync.Calls);
    }

    [Fact]
    public async Task AReplicasStoreInfo_SaysReplicaAndPostgreSql()
    {
        cluster.Require();
        string connection = cluster.NewSchema();
        await using var server = await ApiServer.StartAsync(
            createStore: network => ServerStore.Create(PostgreSqlStoreEngine.Connect(connection, replica: true), network),
            metricsEndPoint: new IPEndPoint(IPAddress.Loopback, 0));

        var scrape = await PrometheusText.ScrapeAsync(server.MetricsClient());

        Assert.Equal(1, scrape.Value("innernet_store_info", ("engine", "postgresql"), ("role", "replica")));
        Assert.Equal(0, scrape.Value("innernet_store_info", ("engine", "postgresql"), ("role", "single")));
    }
}
