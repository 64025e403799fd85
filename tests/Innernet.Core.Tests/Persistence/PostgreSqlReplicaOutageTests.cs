using Innernet.Core.Model;
using Innernet.Core.Persistence;
using Innernet.Server.PostgreSql;
using Innernet.Testing;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
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

    [Fact]
    public async Task DatabaseUnreachable_TheHealthCheckMetricsAndLogSayItAndClearWhenItIsBack()
    {
        var log = new FakeLogCollector();
        using var loggers = new LoggerFactory([new FakeLoggerProvider(log)]);
        using var replicas = ReplicaSet.Start(cluster, 1, loggers: loggers);
        await replicas.ListeningAsync();
        var replica = replicas[0];
        using var single = ServerStore.Create(PostgreSqlStoreEngine.Connect(cluster.NewSchema()), Network);
        using var failures = new MetricCollector<long>(replica.Meter, "innernet.store.commit.failures");
        using var listening = new MetricCollector<int>(replica.Meter, "innernet.store.listening");
        var humans = AddHumans(replica);
        var ct = TestContext.Current.CancellationToken;
        Assert.Null(await replica.CheckAnswersAsync(ct));
        Assert.Null(await single.CheckAnswersAsync(ct));
        Assert.Null(replica.WatchProblem);
        Assert.Empty(log.GetSnapshot());
        listening.RecordObservableInstruments();
        Assert.Equal(1, listening.LastMeasurement!.Value);

        cluster.Stop();
        try
        {
            // Both engines ask the database itself: an only writer's check used to pass on its writer thread alone.
            Assert.Contains(
                $"The database '{single.Source}' does not answer", await single.CheckAnswersAsync(ct), StringComparison.Ordinal);
            Assert.Contains(
                $"The database '{replica.Source}' does not answer", await replica.CheckAnswersAsync(ct), StringComparison.Ordinal);
            Assert.Empty(failures.GetMeasurementSnapshot());
            Assert.Throws<StoreException>(() => replica.AddPeer(NewPeer("phone", "10.42.1.2", humans.Id)));
            Assert.Equal(1, failures.GetMeasurementSnapshot().EvaluateAsCounter());

            await Eventually.TrueAsync(() => replica.WatchProblem is not null, "the replica's listener to notice", Reconnect);
            Assert.StartsWith("not hearing the other replicas' commits since ", replica.WatchProblem, StringComparison.Ordinal);
            listening.RecordObservableInstruments();
            Assert.Equal(0, listening.LastMeasurement!.Value);
            var lost = Assert.Single(log.GetSnapshot());
            Assert.Equal(LogLevel.Warning, lost.Level);
            Assert.Contains($"the listener's connection to {replica.Source} failed", lost.Message, StringComparison.Ordinal);
        }
        finally
        {
            cluster.Start();
        }

        await Eventually.TrueAsync(() => replica.WatchProblem is null, "the replica's listener to reconnect", Reconnect);
        Assert.Null(await replica.CheckAnswersAsync(ct));
        Assert.Null(await single.CheckAnswersAsync(ct));
        listening.RecordObservableInstruments();
        Assert.Equal(1, listening.LastMeasurement!.Value);

        // One warning for the outage however many reconnects failed, one line when it hears again.
        var lines = log.GetSnapshot();
        Assert.Equal(2, lines.Count);
        Assert.Equal(LogLevel.Information, lines[1].Level);
        Assert.Contains(
            $"Hearing the other replicas' commits again on {replica.Source} after ", lines[1].Message, StringComparison.Ordinal);
        Assert.DoesNotContain(lines, l => l.Message.Contains("Password", StringComparison.OrdinalIgnoreCase));
    }

    private void RestartCluster()
    {
        cluster.Require();
        cluster.Stop();
        cluster.Start();
    }
}
