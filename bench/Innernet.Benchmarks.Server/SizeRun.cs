using Innernet.Core.Contracts;
using Innernet.Core.Model;

namespace Innernet.Benchmarks.Server;

/// <summary>
/// One network size, end to end. Namespaces: server <c>{prefix}-s</c> with two veths (underlay 198.18.0.1/24 to peer
/// namespace <c>-a</c> at .0.2, 198.18.1.1/24 to <c>-b</c> at .1.2); no default route anywhere, overlay 10.77.0.0/16
/// only inside the namespaces. The built <c>innernet-server serve</c> runs on wireguard-go in <c>-s</c>; the two
/// benchmark peers' tunnels run on wireguard-go the lab starts in <c>-a</c> and <c>-b</c>.
/// </summary>
internal static class SizeRun
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ProbePause = TimeSpan.FromMilliseconds(10);

    /// <summary>The whole measurement of one size, plus the restart comparison when this is the restart size.</summary>
    public static async Task<(SizeResult? Size, RestartResult? Restart)> RunAsync(BenchOptions options, int size)
    {
        ArgumentNullException.ThrowIfNull(options);
        var total = Stopwatch.StartNew();
        using var session = new BenchSession(options.WorkRoot);
        var lab = session.Lab;
        string serverNs = lab.AddNamespace("s"), nsA = lab.AddNamespace("a"), nsB = lab.AddNamespace("b");
        var (serverA, peerA) = lab.AddVethPair(serverNs, nsA);
        var (serverB, peerB) = lab.AddVethPair(serverNs, nsB);
        lab.AddAddress(serverNs, serverA, "198.18.0.1/24");
        lab.AddAddress(nsA, peerA, "198.18.0.2/24");
        lab.AddAddress(serverNs, serverB, "198.18.1.1/24");
        lab.AddAddress(nsB, peerB, "198.18.1.2/24");
        var underlayA = new IPEndPoint(IPAddress.Parse("198.18.0.1"), NetworkPopulator.ListenPort);
        var underlayB = new IPEndPoint(IPAddress.Parse("198.18.1.1"), NetworkPopulator.ListenPort);
        string iface = lab.InterfaceName("s");
        bool restart = options.RestartSize == size;
        bool measure = !(restart && options.OnlyRestart);

        Progress(size, $"populating ({lab.Prefix})");
        var clock = Stopwatch.StartNew();
        var network = NetworkPopulator.Create(session.WorkDirectory, iface, size, underlayA);
        var populate = clock.Elapsed;
        Progress(size, $"populated in {populate.TotalSeconds:0.0} s; in-process view and JSON timings");
        var inProcess = measure ? InProcessBenchmark.Run(network) : null;
        GC.Collect();

        var tunnelA = PeerTunnel.BringUp(lab, nsA, lab.InterfaceName("a"), network.FewHundred, network, underlayA);
        string[] serveArgs =
        [
            "serve", iface, "--no-write-hosts",
            "-c", network.ConfigDirectory, "-d", network.DataDirectory, "--backend", "userspace",
        ];
        SizeResult? result = null;
        if (measure)
        {
            var tunnelB = PeerTunnel.BringUp(lab, nsB, lab.InterfaceName("b"), network.All, network, underlayB);
            Progress(size, "starting innernet-server serve");
            var server = session.StartServer(serverNs, iface, options.Binary, serveArgs);
            tunnelA.SetServerPeer();
            var firstAnswer = await WaitForStateAsync(tunnelA, server);
            var startup = new StartupResult(
                server.FirstLine("loaded into WireGuard"),
                server.FirstLine("API listening"),
                firstAnswer,
                ProcessInfo.StatusKb(server.Pid, "VmRSS") ?? 0);
            var wireGuardPids = session.FindServerWireGuardGo();
            tunnelB.SetServerPeer();
            await WaitForStateAsync(tunnelB, server);

            var fewHundred = await MeasureViewAsync(options, size, tunnelA, inProcess!.FewHundred, server, wireGuardPids);
            var all = await MeasureViewAsync(options, size, tunnelB, inProcess.All, server, wireGuardPids);
            // What innernet's figure is comparable with: the peak after the state requests only (sequential, then
            // the concurrent windows of the full view), before the admin socket's list adds its own body.
            long peakAfterState = ProcessInfo.StatusKb(server.Pid, "VmHWM") ?? 0;
            // Where the peak goes, mapping by mapping (bench-server.sh: SERVER_BENCH_SMAPS).
            if (Environment.GetEnvironmentVariable("SERVER_BENCH_SMAPS") is { Length: > 0 } smapsDir)
            {
                File.Copy($"/proc/{server.Pid}/smaps", Path.Combine(smapsDir, $"smaps-{size}"), true);
                File.Copy($"/proc/{server.Pid}/status", Path.Combine(smapsDir, $"status-{size}"), true);
                ProcessInfo.WriteResidentPages(server.Pid, Path.Combine(smapsDir, $"pages-{size}"));
                File.WriteAllText(Path.Combine(smapsDir, $"log-{size}"), server.Log());
            }

            Progress(size, "control: GET /v1/admin/peers over the local admin socket (no tunnel)");
            var adminControl = await MeasureAdminControlAsync(options, network);
            long peak = ProcessInfo.StatusKb(server.Pid, "VmHWM") ?? 0;
            if (server.HasExited)
            {
                throw new InvalidOperationException($"innernet-server exited during the run:\n{server.Log()}");
            }

            server.Stop();
            result = new SizeResult(network, populate, inProcess, startup, fewHundred, all, adminControl, peakAfterState, peak, total.Elapsed);
        }

        RestartResult? restarts = null;
        if (restart)
        {
            Progress(size, $"restart comparison: {options.RestartRuns} run(s) of cold start + warm restart per build");
            restarts = await RestartBench.RunAsync(options, session, serverNs, iface, serveArgs, tunnelA, size);
        }

        return (result, restarts);
    }

    /// <summary>
    /// Polls <c>GET /v1/user/state</c> through the tunnel until it answers 200; returns the time since the server
    /// process started. A connection attempt gives up after 250 ms (no handshake yet); once connected, the
    /// (cold) first request may take as long as it needs. While no handshake has completed the server peer is re-set before each try, so a handshake
    /// that went out before the server's WireGuard was ready is retried at once rather than after wireguard-go's 5 s.
    /// </summary>
    public static async Task<TimeSpan> WaitForStateAsync(PeerTunnel tunnel, ServerProcess server)
    {
        using var client = tunnel.CreateClient(1, ConnectTimeout);
        var deadline = Stopwatch.StartNew();
        var failures = new List<string>();
        while (true)
        {
            using (var attempt = new CancellationTokenSource(ProbeTimeout))
            {
                long tried = Stopwatch.GetTimestamp();
                try
                {
                    await client.GetBodyAsync(attempt.Token);
                    var answered = Stopwatch.GetElapsedTime(server.StartTimestamp);
                    Trace($"{tunnel.Peer.Label}: answered at {answered.TotalMilliseconds:0} ms after {failures.Count} failed tries: {string.Join("; ", failures)}");
                    return answered;
                }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
                {
                    // Not up yet: no handshake, connection refused (API not bound yet) or the try timed out.
                    failures.Add($"{Stopwatch.GetElapsedTime(server.StartTimestamp, tried).TotalMilliseconds:0} ms {e.GetType().Name} "
                        + $"+{Stopwatch.GetElapsedTime(tried).TotalMilliseconds:0} ms");
                }
            }

            if (server.HasExited || deadline.Elapsed > StartTimeout)
            {
                throw new InvalidOperationException(
                    $"{tunnel.Peer} got no state answer within {deadline.Elapsed.TotalSeconds:0} s (server exited: {server.HasExited}).\n{server.Log()}");
            }

            if (!tunnel.HasHandshake())
            {
                tunnel.SetServerPeer();
            }

            await Task.Delay(ProbePause);
        }
    }

    private static async Task<ViewResult> MeasureViewAsync(
        BenchOptions options, int size, PeerTunnel tunnel, ViewTimings expected, ServerProcess server, IReadOnlyList<int> wireGuardPids)
    {
        using var client = tunnel.CreateClient(1);
        byte[] body = await client.GetBodyAsync(CancellationToken.None);
        var state = InnernetJson.Deserialize<State>(body);
        if (state.Peers.Count != expected.VisiblePeers || state.Peers.All(p => p.Id != tunnel.Peer.Id))
        {
            throw new InvalidOperationException(
                $"{tunnel.Peer}: the server returned {state.Peers.Count} peers, the store's view has {expected.VisiblePeers} (or the peer misses itself).");
        }

        Progress(size, $"{tunnel.Peer.Label}: {state.Peers.Count} visible peers, {body.Length:N0} bytes; latency");
        var latency = await LoadRunner.LatencyAsync(client, options.WarmupRequests, options.Requests, options.LatencyBudget);
        var throughput = new List<ThroughputResult>();
        foreach (int concurrency in options.Concurrency)
        {
            Progress(size, $"{tunnel.Peer.Label}: throughput with {concurrency} connections for {options.Duration.TotalSeconds:0} s");
            throughput.Add(await LoadRunner.ThroughputAsync(n => tunnel.CreateClient(n), concurrency, options.Duration, server.Pid, wireGuardPids));
        }

        return new ViewResult(tunnel.Peer, state.Peers.Count, body.Length, latency, throughput);
    }

    private static async Task<AdminControlResult> MeasureAdminControlAsync(BenchOptions options, BenchNetwork network)
    {
        using var client = BenchHttpClient.AdminPeers(Path.Combine(network.DataDirectory, network.Interface + ".sock"), network.ServerPublicKey);
        byte[] body = await client.GetBodyAsync(CancellationToken.None);
        var peers = InnernetJson.Deserialize<List<Peer>>(body);
        if (peers.Count != network.Peers)
        {
            throw new InvalidOperationException($"GET /v1/admin/peers returned {peers.Count} peers; the network has {network.Peers}.");
        }

        var latency = await LoadRunner.LatencyAsync(client, options.WarmupRequests, options.Requests, options.LatencyBudget / 2);
        return new AdminControlResult(peers.Count, body.Length, latency);
    }

    private static void Trace(string what)
    {
        if (Environment.GetEnvironmentVariable("SERVER_BENCH_TRACE") == "1")
        {
            Console.Error.WriteLine($"server-bench trace: {what}");
        }
    }

    private static void Progress(int size, string what) => Console.Error.WriteLine($"server-bench [{size} peers] {what}");
}
