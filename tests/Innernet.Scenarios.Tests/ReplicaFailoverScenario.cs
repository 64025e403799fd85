using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Innernet.Scenarios.Tests;

/// <summary>
/// Client failover between two <c>serve --replica</c> processes on one PostgreSQL schema, in namespaces: replica A at
/// the invitations' endpoint 198.18.0.1, replica B at 198.18.0.250, each announcing its own <c>--external-endpoint</c>.
/// A is killed with SIGKILL while the peers' daemons use it; each daemon moves its server peer to B, B serves the next
/// change, and no write A acknowledged is lost. The tests of this class share one cluster and run one after another.
/// </summary>
[Trait(Layers.Name, Layers.Host)]
public sealed class ReplicaFailoverScenario(PostgreSqlCluster cluster) : Scenario(ScenarioBackend.Userspace),
    IClassFixture<PostgreSqlCluster>
{
    /// <summary>The bound the issue sets for a client to be on the other replica; the measured times are logged.</summary>
    private static readonly TimeSpan FailoverBound = TimeSpan.FromSeconds(10);

    private static readonly IPAddress ReplicaUnderlay = IPAddress.Parse("198.18.0.250");

    private static string EndpointA => $"{InnernetNetwork.ServerUnderlay}:{InnernetNetwork.ListenPort}";

    [Fact]
    public async Task ReplicaInUseKilled_DaemonsMoveToTheOther_MatrixHoldsAndTheNextChangeApplies()
    {
        using var net = NewNetworkOnPostgreSql("10.86.0.0/16", out _);
        net.AddCidr("admins", "10.86.1.0/24");
        net.AddCidr("left", "10.86.2.0/24");
        net.AddCidr("right", "10.86.3.0/24");
        net.Server("add-association", net.Name, "admins", "left", "--yes").EnsureSuccess();
        var admin = net.InvitePeer("admin", "admins", admin: true);
        var a = net.InvitePeer("a", "left");
        var b = net.InvitePeer("b", "right");
        InnernetPeer[] peers = [admin, a, b];
        var replica = await StartReplicasAsync(net);
        await net.InstallAsync(Ct, peers);
        await StartLiveAsync(net, replica, peers);

        await AssertPingMatrixAsync(net, ["server", "admin", "a", "b"], "through replica A");
        Assert.All(peers, p => Assert.Equal(EndpointA, ServerEndpoint(net, p)));

        var keys = net.ReadState().Peers.ToDictionary(p => p.Name, p => p.PublicKey.ToString());
        Assert.False(HasPeer(net, b, keys["a"]) || HasPeer(net, b, keys["admin"]), "b sees nobody before the change");
        var killed = Stopwatch.StartNew();
        net.KillServe();
        // Each client is watched from the kill on: when its server peer is B's, and when it also has every other peer
        // (the admin's change below, through B, gives b both others and a and admin b).
        var watches = peers.Select(peer => Task.Run(async () =>
        {
            string[] others = [.. peers.Where(o => o != peer).Select(o => keys[o.Name])];
            TimeSpan? moved = null;
            bool done = await Eventually.UntilAsync(
                () =>
                {
                    bool onB = ServerEndpoint(net, peer) == replica.Endpoint;
                    moved ??= onB ? killed.Elapsed : null;
                    return onB && others.All(k => HasPeer(net, peer, k));
                },
                TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(50), Ct);
            Assert.True(done, $"{peer.Name} did not move to B with the change within 60 s (server peer at {ServerEndpoint(net, peer)})\n"
                + $"{net.DaemonLogs()}\n--- replica B ---\n{replica.Log}");
            return (peer.Name, Moved: moved!.Value, Applied: killed.Elapsed);
        }, Ct)).ToArray();
        Log($"kill -9 of replica A's serve ({EndpointA})");
        net.Server(replica, "add-association", replica.InterfaceName, "left", "right", "--yes").EnsureSuccess();
        net.Server(replica, "add-association", replica.InterfaceName, "admins", "right", "--yes").EnsureSuccess();
        Log($"add-association left right, admins right through B: {killed.Elapsed.TotalMilliseconds:0} ms after the kill");
        var times = await Task.WhenAll(watches);
        LogFailover("server peer on B", times.Select(t => (t.Name, t.Moved)));
        LogFailover("on B with the change applied", times.Select(t => (t.Name, t.Applied)));
        Assert.All(times, t => Assert.True(t.Applied <= FailoverBound,
            $"{t.Name} took {t.Applied.TotalSeconds:0.0} s to be on B with the change\n{net.DaemonLogs()}"));
        var state = net.ReadState(replica);
        Assert.All(peers, p => Assert.All(peers.Where(o => o != p), o => Assert.True(state.Rule.Sees(p.Name, o.Name))));

        await AssertPingMatrixAsync(net, ["admin", "a", "b"], "after the failover, through replica B", state);
        Assert.All(peers, p => Assert.True(net.Ping(p.Namespace, net.ServerOverlay), $"{p.Name} pings the server (B)\n{replica.Log}"));
        Log("every peer pings the server's overlay address, now replica B");
    }

    [Fact]
    public async Task ReplicaHostVanishes_NoResetArrives_DaemonsMoveToTheOther_AndTheNextChangeApplies()
    {
        using var net = NewNetworkOnPostgreSql("10.88.0.0/16", out _);
        net.AddCidr("left", "10.88.2.0/24");
        net.AddCidr("right", "10.88.3.0/24");
        var a = net.InvitePeer("a", "left");
        var b = net.InvitePeer("b", "right");
        InnernetPeer[] peers = [a, b];
        var replica = await StartReplicasAsync(net);
        await net.InstallAsync(Ct, peers);
        await StartLiveAsync(net, replica, peers);
        Assert.All(peers, p => Assert.Equal(EndpointA, ServerEndpoint(net, p)));
        var keys = net.ReadState().Peers.ToDictionary(p => p.Name, p => p.PublicKey.ToString());
        Assert.False(HasPeer(net, a, keys["b"]), "a does not see b before the change");

        // No process exits, so no kernel answers for A: the clients' streams just go silent, as when a host loses power.
        var frozen = Stopwatch.StartNew();
        net.FreezeServerHost();
        Log($"SIGSTOP of replica A's serve and wireguard-go ({EndpointA})");
        net.Server(replica, "add-association", replica.InterfaceName, "left", "right", "--yes").EnsureSuccess();
        Log($"add-association left right through B: {frozen.Elapsed.TotalMilliseconds:0} ms after the freeze");
        var times = await Task.WhenAll(peers.Select(peer => Task.Run(async () =>
        {
            string other = keys[peers.Single(o => o != peer).Name];
            TimeSpan? moved = null;
            bool done = await Eventually.UntilAsync(
                () =>
                {
                    bool onB = ServerEndpoint(net, peer) == replica.Endpoint;
                    moved ??= onB ? frozen.Elapsed : null;
                    return onB && HasPeer(net, peer, other);
                },
                TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(50), Ct);
            Assert.True(done, $"{peer.Name} did not move to B with the change within 60 s (server peer at {ServerEndpoint(net, peer)})\n"
                + $"{net.DaemonLogs()}\n--- replica B ---\n{replica.Log}");
            return (peer.Name, Moved: moved!.Value, Applied: frozen.Elapsed);
        }, Ct)));
        LogFailover("server peer on B", times.Select(t => (t.Name, t.Moved)), "the freeze");
        LogFailover("on B with the change applied", times.Select(t => (t.Name, t.Applied)), "the freeze");
        Assert.All(times, t => Assert.True(t.Applied <= FailoverBound,
            $"{t.Name} took {t.Applied.TotalSeconds:0.0} s to be on B with the change\n{net.DaemonLogs()}"));
        Assert.True(net.Ping(a.Namespace, b.Ip), $"a pings b through B's view\n{net.DaemonLogs()}");
    }

    [Fact]
    public async Task ReplicaKilledUnderWriteLoad_NoAcknowledgedWriteIsLost_ClientsMove()
    {
        using var net = NewNetworkOnPostgreSql("10.87.0.0/16", out string connection);
        net.AddCidr("humans", "10.87.1.0/24");
        var admin = net.InvitePeer("admin", "humans", admin: true);
        InnernetPeer[] peers = [admin, net.InvitePeer("a", "humans"), net.InvitePeer("b", "humans")];
        var replica = await StartReplicasAsync(net);
        await net.InstallAsync(Ct, peers);
        await StartLiveAsync(net, replica, peers);

        // The admin peer writes one CIDR after the other through the API, over its tunnel to whichever replica its daemon
        // uses; a write is acknowledged by its 201. A write without an answer is sent again (the same name and range);
        // a 400 to the retry means the first one committed unacknowledged.
        var acknowledged = new List<string>();
        var committedUnacknowledged = new List<string>();
        var refused = new List<string>();
        int throughB = 0;
        var writer = Task.Factory.StartNew(() =>
        {
            var clock = Stopwatch.StartNew();
            bool retry = false;
            var bound = TimeSpan.FromSeconds(90);
            for (int i = 0, attempts = 0; i < 200 && attempts < 2000 && throughB < 10 && clock.Elapsed < bound; attempts++)
            {
                string name = "w" + i.ToString(CultureInfo.InvariantCulture);
                int status = PostCidr(net, admin, name, $"10.87.{10 + i}.0/24");
                bool onB = ServerEndpoint(net, admin) == replica.Endpoint;
                lock (acknowledged)
                {
                    if (status == 201)
                    {
                        acknowledged.Add(name);
                    }
                    else if (status == 400)
                    {
                        (retry ? committedUnacknowledged : refused).Add(name);
                    }
                }

                if (status is 201 or 400)
                {
                    throughB += status == 201 && onB ? 1 : 0;
                    i++;
                }

                retry = status is not (201 or 400);
            }
        }, Ct, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        await net.WaitForAsync(() => { lock (acknowledged) { return acknowledged.Count >= 20 || writer.IsCompleted; } },
            TimeSpan.FromSeconds(60), "twenty acknowledged writes through A", Ct);
        var killed = Stopwatch.StartNew();
        net.KillServe();
        int beforeKill;
        lock (acknowledged)
        {
            beforeKill = acknowledged.Count;
        }

        var times = await Task.WhenAll(peers.Select(peer => Task.Run(async () =>
        {
            bool moved = await Eventually.UntilAsync(() => ServerEndpoint(net, peer) == replica.Endpoint, TimeSpan.FromSeconds(60),
                TimeSpan.FromMilliseconds(50), Ct);
            Assert.True(moved, $"{peer.Name} did not move to B within 60 s\n{net.DaemonLogs()}");
            return (peer.Name, Elapsed: killed.Elapsed);
        }, Ct)));
        Log($"kill -9 of replica A's serve while the admin writes through it ({beforeKill} writes acknowledged before the kill)");
        LogFailover("server peer on B", times);
        await writer.WaitAsync(TimeSpan.FromSeconds(120), Ct);
        Assert.All(times, t => Assert.True(t.Elapsed <= FailoverBound, $"{t.Name} took {t.Elapsed.TotalSeconds:0.0} s to move to B"));
        Assert.Empty(refused);
        Assert.True(throughB >= 10, $"the admin's writes through B: {throughB}\n{net.DaemonLogs()}\n{replica.Log}");

        string[] written = [.. acknowledged];
        string schema = connection[(connection.LastIndexOf('=') + 1)..];
        var committed = cluster.Sql($"SELECT name FROM {schema}.cidrs")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        Assert.All(written, w => Assert.True(committed.Contains(w), $"acknowledged write {w} is not in PostgreSQL"));
        var listedByB = net.ReadState(replica).Cidrs.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        Assert.All(written, w => Assert.True(listedByB.Contains(w), $"acknowledged write {w} is not listed by B"));
        Log($"{written.Length} acknowledged writes ({written.Length - throughB} through A, {throughB} through B), all in "
            + $"PostgreSQL and listed by B; {committedUnacknowledged.Count} committed without an acknowledgement "
            + "(refused as duplicates when sent again)");
    }

    /// <summary>
    /// <c>POST /v1/admin/cidrs</c> (with the server key header every call carries) from the peer's namespace over HTTP/1.0
    /// (bash's /dev/tcp, 5 s at most): the status, or 0 when no answer came.
    /// </summary>
    private static int PostCidr(InnernetNetwork net, InnernetPeer peer, string name, string cidr)
    {
        string body = $$"""{"name":"{{name}}","cidr":"{{cidr}}","parent":1}""";
        string request = $"POST /v1/admin/cidrs HTTP/1.0\r\nHost: {net.ServerOverlay}\r\nX-Innernet-Server-Key: {peer.ServerPublicKey}\r\n"
            + $"Content-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n{body}";
        var result = net.Lab.ExecWithTimeout(TimeSpan.FromSeconds(10), peer.Namespace, "timeout", "5", "bash", "-c",
            $"exec 3<>/dev/tcp/{net.ServerOverlay}/{InnernetNetwork.ListenPort} && printf '%s' \"$1\" >&3 && head -c 12 <&3",
            "post", request);
        string answer = result.StandardOutput;
        return result.Succeeded && answer.StartsWith("HTTP/1.", StringComparison.Ordinal) && answer.Length >= 12
            ? int.Parse(answer.AsSpan(9, 3), CultureInfo.InvariantCulture)
            : 0;
    }

    /// <summary>A network created in a new schema of the cluster (<paramref name="connection"/>), not serving yet.</summary>
    private InnernetNetwork NewNetworkOnPostgreSql(string cidr, out string connection)
    {
        cluster.Require();
        connection = cluster.NewSchema();
        var net = NewNetwork(cidr);
        try
        {
            net.Create("--database", connection);
            return net;
        }
        catch
        {
            net.Dispose();
            throw;
        }
    }

    /// <summary>Replica B's namespace and serve, then A's (the invitations' endpoint); both as replicas with their own endpoint.</summary>
    private static async Task<ServerReplica> StartReplicasAsync(InnernetNetwork net)
    {
        var replica = net.AddReplica(ReplicaUnderlay);
        await net.ServeAsync(Ct, "--replica", "--external-endpoint", EndpointA);
        await net.ServeAsync(replica, Ct, "--replica", "--external-endpoint", replica.Endpoint);
        return replica;
    }

    /// <summary>
    /// Starts a daemon per peer and waits until each holds the stream and has the announcement of both replicas
    /// (<c>&lt;iface&gt;.replicas</c>, written from the <c>X-Innernet-Replicas</c> header).
    /// </summary>
    private async Task StartLiveAsync(InnernetNetwork net, ServerReplica replica, params InnernetPeer[] peers)
    {
        foreach (var peer in peers)
        {
            net.StartDaemon(peer);
        }

        await net.WaitForAsync(() => peers.All(p => net.UpdatesMode(p) == "live" && KnowsReplicas(p, EndpointA, replica.Endpoint)),
            TimeSpan.FromSeconds(60), "every daemon to hold the stream and know both replicas", Ct);
        Log($"inn up --daemon on {string.Join(", ", peers.Select(p => p.Name))}: live, both replicas announced");
    }

    private static bool KnowsReplicas(InnernetPeer peer, params string[] endpoints)
    {
        string file = Path.Combine(peer.DataDirectory, peer.InterfaceName + ".replicas");
        if (!File.Exists(file))
        {
            return false;
        }

        string[] lines = File.ReadAllLines(file);
        return endpoints.All(e => lines.Contains(e, StringComparer.Ordinal));
    }

    /// <summary>The endpoint of the server peer on the peer's WireGuard device (null when none).</summary>
    private static string? ServerEndpoint(InnernetNetwork net, InnernetPeer peer)
        => net.PeerDevice(peer)?.Peers.FirstOrDefault(p => p.PublicKey.ToString() == peer.ServerPublicKey)?.Endpoint?.ToString();

    private static bool HasPeer(InnernetNetwork net, InnernetPeer peer, string key)
        => net.PeerDevice(peer)?.Peers.Any(p => p.PublicKey.ToString() == key) ?? false;

    private void LogFailover(string what, IEnumerable<(string Name, TimeSpan Elapsed)> times, string after = "the kill")
    {
        double[] ms = [.. times.Select(t => t.Elapsed.TotalMilliseconds).Order()];
        Log($"{what}, per client after {after}: {string.Join(", ", times.Select(t => $"{t.Name} {t.Elapsed.TotalMilliseconds:0} ms"))}; "
            + $"p50 {Percentile(ms, 0.50):0} ms, p99 {Percentile(ms, 0.99):0} ms, max {ms[^1]:0} ms");
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    private static double Percentile(double[] sorted, double p) => sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
