using Innernet.Core.Model;
using Innernet.Core.Persistence;
using Innernet.Testing;
using static Innernet.Core.Tests.Persistence.StoreTestSupport;

namespace Innernet.Core.Tests.Persistence;

/// <summary>
/// Replicas while PostgreSQL goes away: these tests stop and start their own cluster (a fixture of this class only), so
/// they run one after another and no other class shares it.
/// </summary>
[Trait(Layers.Name, Layers.Host)]
public sealed class PostgreSqlReplicaOutageTests(PostgreSqlCluster cluster) : IClassFixture<PostgreSqlCluster>
{
    /// <summary>A listener reconnects after at most a few waits of its backoff; the commit reaches the other replica after.</summary>
    private static readonly TimeSpan Reconnect = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task PostgreSqlRestarted_ReplicasReconnectAndResyncByThemselves()
    {
        // No periodic look: after the restart only the replicas' reconnected listeners can tell them.
        using var replicas = ReplicaSet.Start(cluster, 2);
        await replicas.ListeningAsync();
        ServerStore a = replicas[0], b = replicas[1];
        var humans = AddHumans(a);

        RestartCluster();

        // Both writer connections died while idle: the next write reconnects without failing.
        var laptop = a.AddPeer(NewPeer("laptop", "10.42.1.1", humans.Id));
        await Eventually.TrueAsync(() => laptop.Equals(b.GetPeer(laptop.Id)), "replica B to resync after the restart", Reconnect);
        await Eventually.TrueAsync(
            () => replicas.ListenerConnections(0) > 1 && replicas.ListenerConnections(1) > 1, "both listeners to reconnect", Reconnect);

        // The new listener connections carry notifications again, both ways.
        var phone = b.AddPeer(NewPeer("phone", "10.42.1.2", humans.Id));
        await Eventually.TrueAsync(() => phone.Equals(a.GetPeer(phone.Id)), "replica A to see replica B's write", Reconnect);
        a.SetDisabled(phone.Id, true);
        await Eventually.TrueAsync(
            () => b.GetPeer(phone.Id) is { IsDisabled: true }, "replica B to see the disable", Reconnect);
    }

    [Fact]
    public async Task DatabaseUnreachable_WritesFailClearlyAndReadsAnswerTheLastState()
    {
        using var replicas = ReplicaSet.Start(cluster, 2);
        await replicas.ListeningAsync();
        ServerStore a = replicas[0], b = replicas[1];
        var humans = AddHumans(a);
        var laptop = a.AddPeer(NewPeer("laptop", "10.42.1.1", humans.Id));
        var invitee = a.AddPeer(NewPeer("invitee", "10.42.1.9", humans.Id, isRedeemed: false));
        await Eventually.TrueAsync(() => invitee.Equals(b.GetPeer(invitee.Id)), "replica B to see the invitation");
        var state = b.GetCommitted();

        cluster.Stop();
        try
        {
            var add = Assert.Throws<StoreException>(() => a.AddPeer(NewPeer("phone", "10.42.1.2", humans.Id)));
            Assert.Contains($"Database write to '{a.Source}' failed", add.Message, StringComparison.Ordinal);
            var redeem = Assert.Throws<StoreException>(() => b.Redeem(invitee.Id, Key(5), DateTimeOffset.UtcNow));
            Assert.Contains($"Database write to '{b.Source}' failed", redeem.Message, StringComparison.Ordinal);

            // Reads answer from the last state, unchanged.
            Assert.True(state.Peers == b.GetCommitted().Peers, "replica B keeps the state it had");
            Assert.Equal(laptop, a.GetPeerByName("laptop"));
            Assert.Null(a.GetPeerByName("phone"));
            Assert.False(b.GetPeer(invitee.Id)!.IsRedeemed);
        }
        finally
        {
            cluster.Start();
        }

        // Nothing of the refused writes was committed; writes work again once the database is back.
        Assert.Equal("0", cluster.Sql(
            $"SELECT count(*) FROM {replicas.Schema}.peers WHERE name = 'phone' OR public_key = '{Key(5).ToBase64()}'").Trim());
        var phone = a.AddPeer(NewPeer("phone", "10.42.1.2", humans.Id));
        b.Redeem(invitee.Id, Key(5), DateTimeOffset.UtcNow);
        await Eventually.TrueAsync(() => phone.Equals(b.GetPeer(phone.Id)), "replica B to see the write after the outage", Reconnect);
        await Eventually.TrueAsync(() => a.GetPeer(invitee.Id) is { IsRedeemed: true }, "replica A to see the redeem", Reconnect);
    }

    private void RestartCluster()
    {
        cluster.Require();
        cluster.Stop();
        cluster.Start();
    }
}
