using System.Collections.Concurrent;
using System.Net;
using Innernet.Core.Model;
using Innernet.Netlink.WireGuard;
using Innernet.Server.Api;
using Innernet.Server.Cli;

namespace Innernet.Server.Serve;

/// <summary>
/// Keeps the server's WireGuard interface in step with the database (the API calls it after each commit):
/// added and enabled peers get their /32 or /128 with keepalive 25, disabled and removed ones are taken off,
/// a redeemed invitation swaps keys 5 s later (after the reply has left through the old tunnel). Also the
/// in-memory map of the endpoints WireGuard observes, refreshed by <see cref="RefreshObservedEndpoints"/>, with
/// an <see cref="EndpointGeneration"/> that grows only when that map really changes.
/// </summary>
/// <remarks>Thread-safe: every WireGuard call is serialized (the control is not thread-safe). A failed
/// WireGuard update is logged, not thrown: the database is the truth and the next start applies it.</remarks>
internal sealed class WireGuardPeerSync : IPeerSync, IDisposable
{
    /// <summary>innernet's REDEEM_TRANSITION_WAIT.</summary>
    public static readonly TimeSpan RedeemTransitionWait = TimeSpan.FromSeconds(5);

    private readonly IWireGuardControl _wireGuard;
    private readonly string _interface;
    private readonly WireGuardKey _serverPublicKey;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly TimeSpan _redeemDelay;
    private readonly Lock _lock = new();
    private readonly ConcurrentDictionary<WireGuardKey, IPEndPoint> _observed = new();
    private readonly ConcurrentDictionary<Task, bool> _pending = new();
    private readonly CancellationTokenSource _stopping = new();
    private long _endpointGeneration;

    public WireGuardPeerSync(
        IWireGuardControl wireGuard, string iface, WireGuardKey serverPublicKey, ILogger logger, TimeProvider time, TimeSpan? redeemDelay = null)
    {
        _wireGuard = wireGuard;
        _interface = iface;
        _serverPublicKey = serverPublicKey;
        _logger = logger;
        _time = time;
        _redeemDelay = redeemDelay ?? RedeemTransitionWait;
    }

    /// <summary>
    /// Start-up: every database peer in ONE update with replace-peers (the database is the truth): enabled peers
    /// (unredeemed invitations included, which is what makes redemption possible) are set, everything else goes.
    /// </summary>
    public int LoadAll(IReadOnlyList<Peer> peers)
    {
        var config = new DeviceConfig { ReplacePeers = true };
        foreach (var peer in peers.Where(p => !p.IsDisabled && p.PublicKey != _serverPublicKey))
        {
            config.Peers.Add(PeerConfigs.Add(peer));
        }

        lock (_lock)
        {
            _wireGuard.ConfigureDevice(_interface, config);
        }

        return config.Peers.Count;
    }

    public void PeerAdded(Peer peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        if (!peer.IsDisabled)
        {
            Apply($"add peer {peer}", PeerConfigs.Add(peer));
        }
    }

    public void PeerEnabledChanged(Peer peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        if (peer.IsDisabled)
        {
            ForgetObserved([peer.PublicKey]);
        }

        Apply($"{(peer.IsDisabled ? "disable" : "enable")} peer {peer}", PeerConfigs.For(peer));
    }

    public void PeerRedeemed(Peer before, Peer after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var token = _stopping.Token;
        var task = Task.Run(
            async () =>
            {
                await Task.Delay(_redeemDelay, _time, token).ConfigureAwait(false);
                ForgetObserved([before.PublicKey]);
                var configs = new List<PeerConfig> { PeerConfigs.Remove(before.PublicKey) };
                if (!after.IsDisabled)
                {
                    configs.Add(PeerConfigs.Add(after));
                }

                Apply($"swap the redeemed key of peer {after}", [.. configs]);
            },
            token);
        _pending[task] = true;
        _ = task.ContinueWith(t => _pending.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    public void PeersRemoved(IReadOnlyList<Peer> peers)
    {
        ArgumentNullException.ThrowIfNull(peers);
        if (peers.Count == 0)
        {
            return;
        }

        ForgetObserved([.. peers.Select(p => p.PublicKey)]);
        Apply($"remove {peers.Count} peer(s)", [.. peers.Select(p => PeerConfigs.Remove(p.PublicKey))]);
    }

    public IPEndPoint? GetObservedEndpoint(WireGuardKey publicKey) => _observed.GetValueOrDefault(publicKey);

    /// <summary>Grows after each change of the observed endpoints (a refresh that finds them unchanged keeps it).</summary>
    public long? EndpointGeneration => Interlocked.Read(ref _endpointGeneration);

    /// <summary>Reads the device and records each peer's current endpoint (entries are overwritten, as innernet does).</summary>
    public void RefreshObservedEndpoints()
    {
        WireGuardDevice? device;
        lock (_lock)
        {
            device = _wireGuard.GetDevice(_interface);
        }

        if (device is null)
        {
            ServeLog.InterfaceMissing(_logger, _interface);
            return;
        }

        bool changed = false;
        foreach (var peer in device.Peers)
        {
            if (peer.Endpoint is { } endpoint
                && !(_observed.TryGetValue(peer.PublicKey, out var known) && known.Equals(endpoint)))
            {
                _observed[peer.PublicKey] = endpoint;
                changed = true;
            }
        }

        if (changed)
        {
            Interlocked.Increment(ref _endpointGeneration);
        }
    }

    /// <summary>Cancels key swaps that have not happened yet (shutdown) and waits briefly for running ones.</summary>
    public void Dispose()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        _stopping.Cancel();
        try
        {
            Task.WaitAll([.. _pending.Keys], TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // Cancelled swaps: the next start loads the database anyway.
        }

        _stopping.Dispose();
    }

    /// <summary>Drops the observed endpoints of these keys; the generation grows when one was known.</summary>
    private void ForgetObserved(IEnumerable<WireGuardKey> keys)
    {
        bool changed = false;
        foreach (var key in keys)
        {
            changed |= _observed.TryRemove(key, out _);
        }

        if (changed)
        {
            Interlocked.Increment(ref _endpointGeneration);
        }
    }

    private void Apply(string what, params PeerConfig[] peers)
    {
        try
        {
            var config = new DeviceConfig();
            foreach (var peer in peers.Where(p => p.PublicKey != _serverPublicKey))
            {
                config.Peers.Add(peer);
            }

            lock (_lock)
            {
                _wireGuard.ConfigureDevice(_interface, config);
            }

            ServeLog.WireGuardUpdated(_logger, _interface, what);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            ServeLog.WireGuardUpdateFailed(_logger, e, _interface, what);
        }
    }
}
