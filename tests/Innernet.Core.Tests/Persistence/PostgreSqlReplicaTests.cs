using System.Globalization;
using Innernet.Core.Model;
using Innernet.Core.Persistence;
using Innernet.Server.PostgreSql;
using Innernet.Testing;
using static Innernet.Core.Tests.Persistence.StoreTestSupport;

namespace Innernet.Core.Tests.Persistence;

/// <summary>
/// Replicas: several stores on one PostgreSQL schema (<see cref="ReplicaSet"/>), each with its own connections as separate
/// servers have. The rows PostgreSQL holds, read through psql, are the oracle.
/// </summary>
[Trait(Layers.Name, Layers.Host)]
public sealed class PostgreSqlReplicaTests(PostgreSqlCluster cluster) : IClassFixture<PostgreSqlCluster>
{
    private const int Calls = 50;
    private const int AddPeerCalls = 30;
    private const int Invitations = 10;

    /// <summary>
    /// How long a test waits for a commit to reach another replica. The replicas never look on their own (no check
    /// interval), so only the notification can bring it: the bound is generous for loaded machines, not a latency goal.
    /// </summary>
    private static readonly TimeSpan Propagation = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task FiftyConcurrentAddPeerAndRedeemCalls_OverThreeReplicas_KeepEveryRuleAcrossThem()
    {
        using var replicas = ReplicaSet.Start(cluster, 3);
        var humans = AddHumans(replicas[0]);
        var now = DateTimeOffset.UtcNow;
        var invitations = Enumerable.Range(0, Invitations)
            .Select(i => replicas[0].AddPeer(NewPeer(
                $"invitee-{i}", $"10.42.1.{200 + i}", humans.Id, isRedeemed: false, inviteExpires: now.AddDays(1))))
            .ToList();
        var sharedKey = Key(999);

        // 30 add-peer calls whose names (15), IPs (20) and some keys (every sixth call's) collide, and two redeems per
        // invitation with different keys; call i goes to replica i % 3, all released at once.
        PeerContents AddPeerCall(int i) => NewPeer(
            $"peer-{i % 15}", $"10.42.1.{(i % 20) + 1}", humans.Id, key: i % 6 == 0 ? sharedKey : Key(1000 + i));
        var outcomes = Race(Calls, i => i < AddPeerCalls
            ? replicas[i % 3].AddPeer(AddPeerCall(i))
            : (object)replicas[i % 3].Redeem(invitations[(i - AddPeerCalls) % Invitations].Id, Key(2000 + i), now));

        Assert.All(outcomes, o => Assert.True(o.Result is not null || o.Error is InnernetException, $"call {o.Call}: {o.Error}"));

        // Add-peer: the accepted peers share no name, IP or key; each refusal is the store's rule against an accepted peer
        // (not PostgreSQL's constraint catching what the rules missed on a stale state).
        var added = outcomes.Take(AddPeerCalls).Where(o => o.Result is Peer).Select(o => (Peer)o.Result!).ToList();
        Assert.NotEmpty(added);
        Assert.Equal(added.Count, added.Select(p => p.Name).Distinct().Count());
        Assert.Equal(added.Count, added.Select(p => p.Ip).Distinct().Count());
        Assert.Equal(added.Count, added.Select(p => p.PublicKey).Distinct().Count());
        foreach (var refused in outcomes.Take(AddPeerCalls).Where(o => o.Error is not null))
        {
            var wanted = AddPeerCall(refused.Call);
            Assert.IsType<ValidationException>(refused.Error);
            Assert.DoesNotContain("must be unique", refused.Error!.Message, StringComparison.Ordinal);
            Assert.Contains(added, p => p.Name == wanted.Name || p.Ip.Equals(wanted.Ip) || p.PublicKey == wanted.PublicKey);
        }

        // Ids come from the database: distinct and continuing after the invitations, with no gaps.
        long firstNew = invitations[^1].Id + 1;
        Assert.Equal(
            Enumerable.Range(0, added.Count).Select(i => firstNew + i),
            added.Select(p => p.Id).Order());

        // Redeem: each invitation exactly once, by one of its two callers; the other is told it is gone.
        for (int n = 0; n < Invitations; n++)
        {
            var calls = outcomes.Skip(AddPeerCalls).Where(o => (o.Call - AddPeerCalls) % Invitations == n).ToList();
            var winner = Assert.Single(calls, o => o.Result is PeerChange { Before.IsRedeemed: false });
            Assert.IsType<GoneException>(Assert.Single(calls, o => o.Error is not null).Error);
            var redeemed = ((PeerChange)winner.Result!).After;
            Assert.Equal(
                $"{redeemed.PublicKey.ToBase64()}|t",
                Sql(replicas, $"SELECT public_key, is_redeemed FROM peers WHERE id = {invitations[n].Id}"));
        }

        // PostgreSQL holds exactly those rows, and every replica comes to the same committed state.
        Assert.Equal(
            Distinct(1 + Invitations + added.Count),
            Sql(replicas, "SELECT count(*), count(DISTINCT id), count(DISTINCT name), count(DISTINCT ip), count(DISTINCT public_key) "
                + "FROM peers"));
        string stored = Sql(replicas, "SELECT string_agg(id || ' ' || name || ' ' || ip || ' ' || public_key, ',' ORDER BY id) FROM peers");
        for (int r = 0; r < replicas.Count; r++)
        {
            var replica = replicas[r];
            await Eventually.TrueAsync(() => Describe(replica.ListPeers()) == stored, () => $"replica {r} to hold {stored}");
        }
    }

    [Fact]
    public async Task WriteThroughOneReplica_IsInAnothersCommittedStateWithinOneSecond_ByNotification()
    {
        // No periodic look: only the notification can tell replica B.
        using var replicas = ReplicaSet.Start(cluster, 2);
        await replicas.ListeningAsync();
        ServerStore a = replicas[0], b = replicas[1];
        int announced = 0;
        b.CommittedElsewhere += (_, _) => Interlocked.Increment(ref announced);
        var before = b.GetCommitted();

        var humans = AddHumans(a);
        var laptop = a.AddPeer(NewPeer("laptop", "10.42.1.1", humans.Id));

        await Eventually.TrueAsync(() => laptop.Equals(b.GetPeer(laptop.Id)), "replica B to see the peer", Propagation);
        var after = b.GetCommitted();
        Assert.True(after.Version > before.Version);
        Assert.Equal(humans, b.GetCidr(humans.Id));

        // Rows no commit changed keep their objects, so a live feed compares the re-read state by reference.
        Assert.Same(before.FindPeer(Peer.ServerId), after.FindPeer(Peer.ServerId));
        Assert.Same(before.Cidrs[0], after.Cidrs[0]);
        Assert.True(before.Associations == after.Associations, "the unchanged associations keep their array");
        await Eventually.TrueAsync(() => Volatile.Read(ref announced) > 0, "replica B to announce the other replica's commit");

        // The other way round, and a change to an existing row.
        b.SetDisabled(laptop.Id, true);
        await Eventually.TrueAsync(() => a.GetPeer(laptop.Id) is { IsDisabled: true }, "replica A to see the disable", Propagation);
    }

    [Fact]
    public async Task AnotherReplicasCommits_AreReadPeerByPeer_AndAReplicaBehindTheLogReadsEverything()
    {
        using var replicas = ReplicaSet.Start(cluster, 2);
        await replicas.ListeningAsync();
        ServerStore a = replicas[0], b = replicas[1];
        var humans = AddHumans(a);
        var kept = a.AddPeer(NewPeer("kept", "10.42.1.1", humans.Id));
        var changed = a.AddPeer(NewPeer("changed", "10.42.1.2", humans.Id));
        var deleted = a.AddPeer(NewPeer("deleted", "10.42.1.3", humans.Id));
        await SameStateAsync(a, b);
        long full = replicas.FullPeerReads(1);

        // Each kind of peer change, through A and through B: B re-reads only the peers each commit logged.
        a.SetDisabled(changed.Id, true);
        a.DeletePeer(deleted.Id, reserveIpUntil: null);
        var added = a.AddPeer(NewPeer("added", "10.42.1.4", humans.Id, candidates: [Endpoint.Parse("192.0.2.7:51820")]));
        b.SetEndpoint(kept.Id, Endpoint.Parse("192.0.2.1:51820"));
        a.SetCandidates(added.Id, [Endpoint.Parse("192.0.2.8:51820")]);
        await SameStateAsync(a, b);
        Assert.Null(b.GetPeer(deleted.Id));
        Assert.True(b.GetPeer(changed.Id)!.IsDisabled);
        Assert.Equal(full, replicas.FullPeerReads(1));

        // The log no longer reaches back to B's rows (as after more than the kept generations): B reads every peer once.
        cluster.Sql($"UPDATE {replicas.Schema}.store_state SET peer_changes_from = generation + 1");
        a.SetDisabled(kept.Id, true);
        await SameStateAsync(a, b);
        Assert.Equal(full + 1, replicas.FullPeerReads(1));
    }

    /// <summary>Waits until both replicas publish the same peers (each as the database has it).</summary>
    private static Task SameStateAsync(ServerStore a, ServerStore b)
        => Eventually.TrueAsync(
            () => a.ListPeers().OrderBy(p => p.Id).SequenceEqual(b.ListPeers().OrderBy(p => p.Id)), "both replicas to agree", Propagation);

    [Fact]
    public void Write_OnAStateAnotherWriterMovedOn_IsPlannedAgainOnTheNewestState()
    {
        // psql stands for another replica here: it commits without a notification, and nothing looks by itself, so the
        // store learns of the change only when it writes.
        using var replicas = ReplicaSet.Start(cluster, 1);
        var store = replicas[0];
        var humans = AddHumans(store);
        Sql(replicas, "UPDATE store_state SET generation = generation + 1, last_peer_id = last_peer_id + 1; "
            + $"INSERT INTO peers (id, name, ip, cidr_id, public_key, is_admin, is_disabled, is_redeemed) VALUES "
            + $"(2, 'laptop', '10.42.1.1', {humans.Id}, '{Key(1).ToBase64()}', false, false, true)");

        // The name is taken on the newest state: the store's own rule refuses it (no unique-constraint error).
        var e = Assert.Throws<ValidationException>(() => store.AddPeer(NewPeer("laptop", "10.42.1.2", humans.Id)));
        Assert.Contains("A peer named 'laptop' already exists", e.Message, StringComparison.Ordinal);

        // The id comes from the database's counter, not from what this store had seen.
        var phone = store.AddPeer(NewPeer("phone", "10.42.1.2", humans.Id));
        Assert.Equal(3, phone.Id);
        Assert.Equal("laptop", store.GetPeer(2)!.Name);
    }

    [Fact]
    public void Refusal_OnAStateAnotherWriterMovedOn_IsCheckedAgainOnTheNewestState()
    {
        using var replicas = ReplicaSet.Start(cluster, 1);
        var store = replicas[0];
        var humans = AddHumans(store);
        var laptop = store.AddPeer(NewPeer("laptop", "10.42.1.1", humans.Id));
        var invitee = store.AddPeer(NewPeer("invitee", "10.42.1.9", humans.Id, isRedeemed: false));
        Sql(replicas, $"UPDATE store_state SET generation = generation + 1; DELETE FROM peers WHERE id = {laptop.Id}");

        // This store still sees 'laptop' (and would refuse the name); the newest state has no such peer any more.
        var again = store.AddPeer(NewPeer("laptop", "10.42.1.1", humans.Id));
        Assert.Equal(invitee.Id + 1, again.Id);

        // A redeem planned on the stale state is planned again under the lock: psql redeemed the invitation with another key.
        Sql(replicas, $"UPDATE store_state SET generation = generation + 1; "
            + $"UPDATE peers SET is_redeemed = true, public_key = '{Key(7).ToBase64()}' WHERE id = {invitee.Id}");
        Assert.Throws<GoneException>(() => store.Redeem(invitee.Id, Key(8), DateTimeOffset.UtcNow));
        Assert.Equal(Key(7), store.GetPeer(invitee.Id)!.PublicKey);
    }

    [Fact]
    public void AuditEntries_AppendedConcurrentlyThroughThreeReplicas_GetDistinctIdsFromTheDatabase()
    {
        using var replicas = ReplicaSet.Start(cluster, 3);
        var time = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

        var outcomes = Race(30, i => replicas[i % 3].AppendAudit(time, $"admin-{i}", "local", "POST /v1/admin/peers", 201));

        Assert.All(outcomes, o => Assert.True(o.Result is AuditEntry, $"call {o.Call}: {o.Error}"));
        var ids = outcomes.Select(o => ((AuditEntry)o.Result!).Id).Order().ToList();
        Assert.Equal(Enumerable.Range(1, 30).Select(i => (long)i), ids);
        Assert.Equal("30|30", Sql(replicas, "SELECT count(*), count(DISTINCT actor) FROM audit"));
    }

    [Fact]
    public void Heartbeats_EachReplicaSeesTheOnesSeenWithinTheBound_ByTheDatabaseClock()
    {
        using var replicas = ReplicaSet.Start(cluster, 2);
        var a = Endpoint.Parse("192.0.2.1:51820");
        var b = Endpoint.Parse("vpn-b.example.net:51820");
        var minute = TimeSpan.FromMinutes(1);

        Assert.Equal([a], replicas[0].Heartbeat(a, minute));
        Assert.Equal([a, b], replicas[1].Heartbeat(b, minute));
        Assert.Equal([a, b], replicas[0].Heartbeat(null, minute));

        Sql(replicas, "UPDATE replicas SET last_seen = now() - interval '20 seconds' WHERE endpoint = '192.0.2.1:51820'");
        Assert.Equal([b], replicas[1].Heartbeat(b, TimeSpan.FromSeconds(10)));
        Assert.Equal([a, b], replicas[1].Heartbeat(b, minute));

        Sql(replicas, "UPDATE replicas SET last_seen = now() - interval '2 hours' WHERE endpoint = '192.0.2.1:51820'");
        Assert.Equal([b], replicas[1].Heartbeat(b, TimeSpan.FromDays(1)));
        Assert.Equal("1", Sql(replicas, "SELECT count(*) FROM replicas"));
    }

    [Fact]
    public void Replica_AndAServerThatIsNoReplica_ExcludeEachOther()
    {
        cluster.Require();
        string connection = cluster.NewSchema();
        using (var replica = ServerStore.Create(PostgreSqlStoreEngine.Connect(connection, replica: true), Network))
        {
            using var second = ServerStore.Open(PostgreSqlStoreEngine.Connect(connection, replica: true));
            var e = Assert.Throws<StoreException>(() => ServerStore.Open(PostgreSqlStoreEngine.Connect(connection)));
            Assert.Contains("in use by another innernet-server", e.Message, StringComparison.Ordinal);
        }

        using var only = ServerStore.Open(PostgreSqlStoreEngine.Connect(connection));
        var refused = Assert.Throws<StoreException>(() => ServerStore.Open(PostgreSqlStoreEngine.Connect(connection, replica: true)));
        Assert.Contains("in use by an innernet-server that is not a replica", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>"n|n|n|n|n": count(*) and four distinct counts all <paramref name="n"/>.</summary>
    private static string Distinct(int n) => string.Join('|', Enumerable.Repeat(n.ToString(CultureInfo.InvariantCulture), 5));

    private static string Describe(IEnumerable<Peer> peers)
        => string.Join(',', peers.Select(p => $"{p.Id} {p.Name} {p.Ip} {p.PublicKey.ToBase64()}"));

    private string Sql(ReplicaSet replicas, string sql) => cluster.Sql($"SET search_path = {replicas.Schema}; {sql}").Trim();

    /// <summary>What call <c>Call</c> returned, or the exception it threw.</summary>
    private sealed record Outcome(int Call, object? Result, Exception? Error);

    /// <summary>Runs <paramref name="call"/> for 0..<paramref name="count"/>-1, each on its own thread, all released together.</summary>
    private static List<Outcome> Race(int count, Func<int, object> call)
    {
        var outcomes = new Outcome[count];
        using var barrier = new Barrier(count);
        var threads = Enumerable.Range(0, count).Select(i => new Thread(() =>
        {
            barrier.SignalAndWait();
            try
            {
                outcomes[i] = new Outcome(i, call(i), null);
            }
            catch (Exception e)
            {
                outcomes[i] = new Outcome(i, null, e);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        return [.. outcomes];
    }
}
