using Innernet.Core.Persistence;
using Innernet.Server.Api.Live;
using Innernet.Server.Api.Metrics;
using Innernet.Netlink.WireGuard;

namespace Innernet.Server.Api;

/// <summary>The app-wide state the endpoint handlers share (one per <see cref="ServerApp"/>).</summary>
internal sealed class ApiContext : IDisposable
{
    public ApiContext(ServerAppOptions options, ILogger<ApiContext> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        Store = options.Store;
        ServerPublicKey = options.ServerPublicKey;
        PeerSync = options.PeerSync;
        Time = options.Time;
        Replicas = options.Replicas;
        Logger = logger;
        Responses = new ResponseBodies(Store, PeerSync);
        Feed = new StateFeed(Store, PeerSync, Time, logger);
        Store.CommittedElsewhere += OnCommittedElsewhere;
        Metrics = new ServerMetrics(Feed, PeerSync);
    }

    public ServerStore Store { get; }

    public WireGuardKey ServerPublicKey { get; }

    public IPeerSync PeerSync { get; }

    public TimeProvider Time { get; }

    /// <summary>The replicas' endpoints announced to clients.</summary>
    public ReplicaDirectory Replicas { get; }

    public ILogger Logger { get; }

    /// <summary>The cached bodies of <c>GET /v1/user/state</c> and <c>GET /v1/admin/peers</c>.</summary>
    public ResponseBodies Responses { get; }

    /// <summary>The change feed of the live state streams (<c>GET /v1/user/state/stream</c>).</summary>
    public StateFeed Feed { get; }

    /// <summary>The API's instruments (requests, streams, propagation lag, WireGuard peers).</summary>
    public ServerMetrics Metrics { get; }

    /// <summary>
    /// Serializes admin changes of a peer's enabled state with the matching <see cref="IPeerSync"/> call, so
    /// WireGuard sees the changes in the order the store committed them.
    /// </summary>
    public Lock PeerStateGate { get; } = new();

    /// <summary>The app is disposed: the store (which outlives it) stops calling it.</summary>
    public void Dispose()
    {
        Store.CommittedElsewhere -= OnCommittedElsewhere;
        Metrics.Dispose();
    }

    /// <summary>
    /// Another replica's commit, read by the store: told to the live feed and to WireGuard as a local write tells them
    /// (<see cref="ChangeNotificationMiddleware"/>, the endpoints' <see cref="IPeerSync"/> calls).
    /// </summary>
    private void OnCommittedElsewhere(object? sender, EventArgs e)
    {
        Feed.Notify();
        PeerSync.CommittedElsewhere();
    }
}
