using Innernet.Netlink;
using Innernet.Netlink.Route;
using Innernet.Netlink.WireGuard;
using Innernet.Testing;

namespace Innernet.Benchmarks.Server;

/// <summary>One start of a server binary: its log milestones and the first 200 through the tunnel, since the process started.</summary>
internal sealed record RestartSample(string Build, bool Warm, TimeSpan? PeersLoaded, TimeSpan? Listening, TimeSpan FirstAnswer);

/// <summary>Every start of the restart comparison at one network size.</summary>
internal sealed record RestartResult(int Peers, int Runs, IReadOnlyList<RestartSample> Samples);

/// <summary>
/// Cold start and warm restart of <c>serve</c>, each build in turn (baseline, this build) per run so both see the
/// same machine noise. Cold: the server's interface is deleted first (its wireguard-go exits), the benchmark peer's
/// server entry is re-set (no stale session), the server starts wireguard-go and loads every peer. Warm: the server
/// is stopped (SIGTERM; interface and peers stay, as under systemd) and started again; the peer keeps its session,
/// so the first answer shows whether the server kept it too.
/// </summary>
internal static class RestartBench
{
    private static readonly TimeSpan GoneTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan LoadTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan LoadPoll = TimeSpan.FromMilliseconds(20);

    public static async Task<RestartResult> RunAsync(
        BenchOptions options,
        BenchSession session,
        string serverNs,
        string iface,
        IReadOnlyList<string> serveArgs,
        PeerTunnel tunnel,
        int size)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(session);
        var builds = new List<(string Name, string Binary)>();
        if (options.BaselineBinary is { } baseline)
        {
            builds.Add((options.BaselineName, baseline));
        }

        builds.Add(("this build", options.Binary));
        var samples = new List<RestartSample>();
        for (int run = 1; run <= options.RestartRuns; run++)
        {
            foreach (var (name, binary) in builds)
            {
                DeleteServerInterface(serverNs, iface);
                tunnel.SetServerPeer();
                samples.Add(await StartOnceAsync(session, serverNs, iface, binary, serveArgs, tunnel, name, warm: false));
                samples.Add(await StartOnceAsync(session, serverNs, iface, binary, serveArgs, tunnel, name, warm: true));
                Console.Error.WriteLine(
                    $"server-bench [{size} peers] restart run {run}/{options.RestartRuns} {name}: "
                    + $"cold {samples[^2].FirstAnswer.TotalMilliseconds:0} ms, warm {samples[^1].FirstAnswer.TotalMilliseconds:0} ms");
            }
        }

        return new RestartResult(size, options.RestartRuns, samples);
    }

    private static async Task<RestartSample> StartOnceAsync(
        BenchSession session,
        string serverNs,
        string iface,
        string binary,
        IReadOnlyList<string> serveArgs,
        PeerTunnel tunnel,
        string name,
        bool warm)
    {
        string which = warm ? "warm" : "cold";
        var server = session.StartServer(serverNs, iface, binary, serveArgs);
        try
        {
            var first = await SizeRun.WaitForStateAsync(tunnel, server);
            session.FindServerWireGuardGo();

            // A build that starts its API while the peers load answers a peer before all are on: wait for the rest.
            var loading = Stopwatch.StartNew();
            while (server.FirstLine("loaded into WireGuard") is null && !server.HasExited && loading.Elapsed < LoadTimeout)
            {
                await Task.Delay(LoadPoll);
            }

            if (server.FirstLineText("start-up took") is { } split)
            {
                Console.Error.WriteLine($"server-bench {name} {which}: {split}; first 200 at {first.TotalMilliseconds:0} ms");
            }

            if (Environment.GetEnvironmentVariable("SERVER_BENCH_TRACE") == "1")
            {
                Console.Error.WriteLine($"server-bench trace: {name} {which} log:\n{server.Log()}");
            }

            return new RestartSample(name, warm, server.FirstLine("loaded into WireGuard"), server.FirstLine("API listening"), first);
        }
        finally
        {
            int code = server.Stop();
            if (code != 0)
            {
                Console.Error.WriteLine($"server-bench: {name} exited with {code} after a {which} start\n{server.Log()}");
            }

            server.Dispose();
        }
    }

    /// <summary>Deletes the server's userspace interface (its socket; wireguard-go then exits) and waits until the link is gone.</summary>
    private static void DeleteServerInterface(string serverNs, string iface)
    {
        string path = NetnsLab.NamespacePath(serverNs);
        NetworkNamespace.Run(path, () =>
        {
            using var wireGuard = WireGuardClient.Open(WireGuardBackend.Userspace);
            wireGuard.DeleteDevice(iface);
        });
        var clock = Stopwatch.StartNew();
        while (NetworkNamespace.Run(path, () =>
        {
            using var route = new RouteNetlinkClient();
            return route.GetLink(iface) is not null;
        }))
        {
            if (clock.Elapsed > GoneTimeout)
            {
                throw new InvalidOperationException(
                    $"{iface} in {serverNs} still exists {GoneTimeout.TotalSeconds:0} s after its socket was removed.");
            }

            Thread.Sleep(20); // waiting for another process (wireguard-go) to exit; nothing to subscribe to
        }
    }
}
