using System.Net;
using System.Runtime;
using Innernet.Cli;
using Innernet.Core.Client;
using Innernet.Core.Config;
using Innernet.Core.Contracts;
using Innernet.Core.Interfaces;
using Innernet.Core.Keys;
using Innernet.Core.Model;
using Innernet.Core.Persistence;
using Innernet.Netlink.Route;
using Innernet.Server.Api;
using Innernet.Server.Cli;
using Microsoft.Extensions.Logging.Console;
using Endpoint = Innernet.Core.Model.Endpoint;

namespace Innernet.Server.Serve;

/// <summary>
/// <c>serve &lt;iface&gt;</c>: config and database, interface bring-up, every peer into WireGuard,
/// server candidates, the API on <c>&lt;server ip&gt;:&lt;port&gt;</c> (bound to the device) plus the local admin
/// socket, and a 10 s loop writing the hosts file. <see cref="WireGuardPeerSync"/> keeps WireGuard following the
/// store (also after the API's sweeper deletes expired invitations) and refreshes observed endpoints. On
/// SIGINT/SIGTERM Kestrel stops and the database is closed; the interface stays up, as with innernet, so
/// existing tunnels keep working while the service restarts.
/// </summary>
internal static class ServeHost
{
    public static readonly TimeSpan LoopInterval = TimeSpan.FromSeconds(10);

    /// <summary>How often a server registers its external endpoint and reads the live replicas' (<see cref="HeartbeatAsync"/>).</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(2);

    /// <summary>A replica not seen for this long is no longer announced.</summary>
    public static readonly TimeSpan ReplicaLiveFor = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    public static async Task RunAsync(CliContext context, GlobalArgs global, ServeArgs args, CancellationToken cancellationToken)
    {
        var startup = new StartupTimings();
        var paths = NetworkSession.OpenPaths(global, args.Interface);
        await using (var running = await SocketNetworkAdmin.TryConnectAsync(paths.AdminSocket, cancellationToken).ConfigureAwait(false))
        {
            if (running is not null)
            {
                throw new CliUserException(
                    $"the server of '{args.Interface}' is already running (its admin socket {paths.AdminSocket} answers)");
            }
        }

        using var loggerFactory = CreateLoggerFactory();
        var logger = loggerFactory.CreateLogger("innernet-server");
        using var wireGuard = context.OpenWireGuard(global.Network.Backend);

        // One read of a live interface serves both the bring-up and the first reconcile (only what differs changes);
        // with 10,000 peers it takes about as long as opening the store, so both run at once.
        var deviceRead = Task.Run(() => wireGuard.GetDevice(args.Interface), cancellationToken);
        var config = NetworkSession.LoadConfig(context, paths);
        using var store = NetworkSession.OpenStore(context, paths, config, args.Database, args.Replica, loggerFactory);
        var serverPublicKey = KeyPair.FromPrivate(config.PrivateKey).Public;
        var address = new InterfaceAddress(config.Address, config.NetworkCidrPrefix);
        startup.Mark("store");
        var live = await deviceRead.ConfigureAwait(false);
        startup.Mark("device read");
        var warmUp = Task.Run(() => WarmUp(store), CancellationToken.None);

        var manager = new InterfaceManager(wireGuard);
        var request = new InterfaceUpRequest(args.Interface, config.PrivateKey, address, config.ListenPort, null, global.Network);
        bool created = manager.Up(request, live);
        startup.Mark("interface up");
        using var peerSync = new WireGuardPeerSync(wireGuard, args.Interface, serverPublicKey, store.ListPeers, logger, context.Time);

        // The first pass (every peer on a new interface: seconds with 10,000 on wireguard-go) runs while the API
        // starts; the API only needs the interface's address, and no peer's request can arrive before its key is on.
        // Only the pass's summary is kept: its result holds the whole update (every peer on a new interface), and the task
        // lives as long as the serve loop.
        var firstPass = Task.Run(() => FirstPassSummary.Of(peerSync.Start(created ? null : live)), CancellationToken.None);
        SetServerCandidates(store, config.ListenPort, args.Interface, logger);

        var listen = new IPEndPoint(config.Address, config.ListenPort);
        var replicas = new ReplicaDirectory();
        var app = ServerApp.Build(new ServerAppOptions
        {
            Store = store,
            ServerPublicKey = serverPublicKey,
            PeerSync = peerSync,
            ListenEndpoints = [listen],
            BindToDevice = args.Interface,
            LocalAdminSocketPath = paths.AdminSocket,
            MetricsEndpoint = args.MetricsListen,
            WireGuardInterface = args.Interface,
            LoggerFactory = loggerFactory,
            Time = context.Time,
            Replicas = replicas,
        });
        await using (app.ConfigureAwait(false))
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            startup.Mark("API");
            ServeLog.Serving(logger, args.Interface, listen.ToString(), paths.AdminSocket);
            var loaded = await firstPass.ConfigureAwait(false);
            startup.Mark("peers (after the API)");
            string routing = global.Network.NoRouting ? "no route" : $"route {address.Network}";
            ServeLog.InterfaceUp(
                logger, args.Interface, address.ToString(), global.Network.Mtu, routing,
                loaded.DesiredCount, live is null || created ? "new" : "live", loaded.Diff);
            ServeLog.StartupTimings(logger, args.Interface, startup.ToString());
            // Awaited so the collection below also frees the warm-up's body; never thrown: a warm-up does not fail the start.
            await warmUp.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            ReleaseStartupGarbage();
            var heartbeat = HeartbeatAsync(args, config, store, replicas, logger, context.Time, cancellationToken);
            try
            {
                await RunLoopAsync(args, store, logger, context.Time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // SIGINT/SIGTERM.
            }

            await heartbeat.ConfigureAwait(false);
            ServeLog.Stopping(logger, args.Interface);
            using var stopTimeout = new CancellationTokenSource(StopTimeout);
            await app.StopAsync(stopTimeout.Token).ConfigureAwait(false);
        }
    }

    private static async Task RunLoopAsync(
        ServeArgs args, ServerStore store, ILogger logger, TimeProvider time, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(LoopInterval, time);
        do
        {
            if (!args.NoWriteHosts)
            {
                RunPeriodic(() => WriteHosts(args, store, logger), args.Interface, "write hosts file", logger);
            }
        }
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Every <see cref="HeartbeatInterval"/>: registers this server's external endpoint in the store and announces the live
    /// servers' endpoints (<see cref="ReplicaDirectory"/>). A failed look keeps the last announcement.
    /// </summary>
    private static async Task HeartbeatAsync(
        ServeArgs args, ServerConfig config, ServerStore store, ReplicaDirectory replicas, ILogger logger, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var own = args.ExternalEndpoint
            ?? (store.IsReplica ? null : store.ListPeers().FirstOrDefault(p => p.Ip.Equals(config.Address))?.Endpoint);
        using var timer = new PeriodicTimer(HeartbeatInterval, time);
        try
        {
            do
            {
                RunPeriodic(() => replicas.Update(store.Heartbeat(own, ReplicaLiveFor)), args.Interface, "replica heartbeat", logger);
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private static void RunPeriodic(Action action, string iface, string what, ILogger logger)
    {
        try
        {
            action();
        }
        catch (Exception e) when (
            e is IOException or InvalidOperationException or UnauthorizedAccessException or Innernet.Core.InnernetException)
        {
            ServeLog.PeriodicFailed(logger, e, iface, what);
        }
    }

    /// <summary>
    /// Builds the visibility index and serializes one state body once, so the first request after a start does not
    /// pay for that code's JIT; runs on the second core while start-up waits for WireGuard. Never fails the start.
    /// </summary>
    private static void WarmUp(ServerStore store)
    {
        try
        {
            if (store.ListCidrs() is { Count: > 0 } cidrs)
            {
                _ = InnernetJson.SerializeToUtf8Bytes(store.GetStateForCidr(cidrs[^1].Id));
            }
        }
        catch (Exception e) when (e is InvalidOperationException or Innernet.Core.InnernetException or ObjectDisposedException)
        {
            // Only a warm-up: the real request does the same work and reports its own errors.
        }
    }

    /// <summary>
    /// One full, compacting collection once start-up is over, the large object heap included, that gives the freed memory
    /// back to the system. Start-up allocates several times what stays (the store's rows read through LiteDB's documents,
    /// the device read, the first pass's update of every peer, the warm-up body): at 10,000 peers about 100 MiB, of which
    /// about 30 MiB stay; without it the GC keeps what it committed for that and the process keeps ~15 MiB more resident.
    /// </summary>
    private static void ReleaseStartupGarbage()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }

    /// <summary>Enabled, redeemed peers (the server included) into the interface's hosts section.</summary>
    private static void WriteHosts(ServeArgs args, ServerStore store, ILogger logger)
    {
        var peers = store.ListPeers().Where(p => !p.IsDisabled && p.IsRedeemed);
        if (HostsFile.Update(args.HostsPath, args.Interface, peers, args.HostSuffix))
        {
            ServeLog.HostsWritten(logger, args.Interface, args.HostsPath);
        }
    }

    /// <summary>The server peer's candidates: its local addresses with the listen port (at most 10).</summary>
    private static void SetServerCandidates(ServerStore store, ushort port, string iface, ILogger logger)
    {
        using var route = new RouteNetlinkClient();
        var candidates = route.GetLocalAddresses()
            .Take(NetworkDefaults.MaxCandidates)
            .Select(a => Endpoint.FromAddress(a, port))
            .ToList();
        store.SetCandidates(Peer.ServerId, candidates);
        ServeLog.Candidates(logger, iface, candidates.Count == 0 ? "(none)" : string.Join(", ", candidates));
    }

    /// <summary>What the log says of the first reconcile pass: how many peers belong on the interface, and what was changed.</summary>
    private readonly record struct FirstPassSummary(int DesiredCount, string Diff)
    {
        public static FirstPassSummary Of(ReconcileResult result) => new(result.DesiredCount, result.Diff?.Summary ?? "not compared");
    }

    /// <summary>Console logging for journald: systemd-style &lt;N&gt; level prefixes, Information by default.</summary>
    private static ILoggerFactory CreateLoggerFactory()
        => LoggerFactory.Create(builder => builder
            .AddSystemdConsole(options => options.IncludeScopes = false)
            .SetMinimumLevel(LogLevel.Information)
            .AddFilter("Microsoft", LogLevel.Warning)
            .AddFilter<ConsoleLoggerProvider>("Microsoft.Hosting.Lifetime", LogLevel.Warning));
}
