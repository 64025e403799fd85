using System.Collections.Concurrent;
using System.Net;
using Innernet.Core.Model;
using Innernet.Netlink.WireGuard;
using Innernet.Server.Api;

namespace Innernet.Server.Serve;

/// <summary>
/// Keeps the server's WireGuard interface following the store by reconciliation (<see cref="PeerReconciler"/>):
/// every commit the API reports wakes one pass soon (passes coalesce: many commits, one pass), a redeem
/// transition's deadline wakes one, and every <see cref="ReconcileInterval"/> a pass compares with the device even
/// when nothing changed here, so a peer added or removed behind the server's back, or a failed update, heals by
/// itself. The periodic pass also refreshes the in-memory map of the endpoints WireGuard observes, with an
/// <see cref="EndpointGeneration"/> that grows only when that map really changes. A request from a peer whose
/// endpoint is not known yet (<see cref="PeerContacted"/>: it just connected, so WireGuard has its endpoint now)
/// brings that pass forward, at most once per <see cref="EndpointProbeInterval"/>, so the others' views carry the
/// newcomer's endpoint within about a second instead of up to <see cref="ReconcileInterval"/> later.
/// </summary>
/// <remarks>Thread-safe: every WireGuard call is serialized (the control is not thread-safe). A failed
/// WireGuard update is logged, not thrown: the store is the truth and the next pass applies it.</remarks>
internal sealed class WireGuardPeerSync : IPeerSync, IDisposable
{
    /// <summary>innernet's REDEEM_TRANSITION_WAIT: the temporary key stays this long after the redeem.</summary>
    public static readonly TimeSpan RedeemTransitionWait = TimeSpan.FromSeconds(5);

    /// <summary>How often a pass compares with the device although nothing changed here.</summary>
    public static readonly TimeSpan ReconcileInterval = TimeSpan.FromSeconds(10);

    /// <summary>The shortest time between two device reads asked for by <see cref="PeerContacted"/>.</summary>
    public static readonly TimeSpan EndpointProbeInterval = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    // How late a pass may start because the clock moved while its timer was being armed.
    private static readonly TimeSpan LateTimerTolerance = TimeSpan.FromMilliseconds(1);

    private readonly WireGuardClient _wireGuard;
    private readonly string _interface;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly PeerReconciler _reconciler;
    private readonly Lock _lock = new();
    private readonly ConcurrentDictionary<WireGuardKey, IPEndPoint> _observed = new();
    private readonly CancellationTokenSource _stopping = new();
    private TaskCompletionSource _wake = NewWake();
    private Task? _loop;
    private DateTimeOffset _nextPeriodic;
    private DateTimeOffset _nextProbe = DateTimeOffset.MinValue;
    private int _probeRequested;
    private long _endpointGeneration;
    private long _passes;
    private int _interfacePeers = -1;

    public WireGuardPeerSync(
        WireGuardClient wireGuard,
        string iface,
        WireGuardKey serverPublicKey,
        Func<IReadOnlyList<Peer>> peers,
        ILogger logger,
        TimeProvider time,
        TimeSpan? redeemWait = null,
        TimeSpan? interval = null)
    {
        _wireGuard = wireGuard;
        _interface = iface;
        _logger = logger;
        _time = time;
        _interval = interval ?? ReconcileInterval;
        _reconciler = new PeerReconciler(wireGuard, iface, serverPublicKey, peers, time, redeemWait ?? RedeemTransitionWait);
    }

    /// <summary>How many passes have finished (successful or not); tests wait on it.</summary>
    public long Passes => Interlocked.Read(ref _passes);

    /// <summary>
    /// Start-up: one pass against <paramref name="device"/> (as the caller has just read it; null = read it now),
    /// which on a live interface changes only what differs, so connected peers keep their sessions; then the
    /// background loop. Throws when WireGuard cannot be updated (the server should not start half-configured).
    /// </summary>
    public ReconcileResult Start(WireGuardDevice? device)
    {
        if (_loop is not null)
        {
            throw new InvalidOperationException("The peer sync has already been started.");
        }

        ReconcileResult result;
        lock (_lock)
        {
            result = _reconciler.Reconcile(readDevice: true, device);
            AfterPass(result);
        }

        _nextPeriodic = _time.GetUtcNow() + _interval;
        _loop = Task.Run(() => RunAsync(_stopping.Token));
        return result;
    }

    /// <summary>Asks for a pass soon; many requests before it starts make one pass.</summary>
    public void Changed() => Volatile.Read(ref _wake).TrySetResult();

    public void PeerAdded(Peer peer) => Changed();

    public void PeerEnabledChanged(Peer peer) => Changed();

    /// <summary>The pass sees the redeem in the store and keeps the temporary key for the transition wait.</summary>
    public void PeerRedeemed(Peer before, Peer after) => Changed();

    public void PeersRemoved(IReadOnlyList<Peer> peers) => Changed();

    /// <summary>Another replica's commit: the pass finds in the store what changed, as after a local one.</summary>
    public void CommittedElsewhere() => Changed();

    public IPEndPoint? GetObservedEndpoint(WireGuardKey publicKey) => _observed.GetValueOrDefault(publicKey);

    /// <summary>
    /// Asks for a device read (the pass that heals drift) when this peer's endpoint is unknown; requests coalesce
    /// and the reads are at least <see cref="EndpointProbeInterval"/> apart. Costs a dictionary lookup otherwise.
    /// </summary>
    public void PeerContacted(Peer peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        if (!_observed.ContainsKey(peer.PublicKey) && Interlocked.Exchange(ref _probeRequested, 1) == 0)
        {
            Changed();
        }
    }

    /// <summary>Grows after each change of the observed endpoints (a refresh that finds them unchanged keeps it).</summary>
    public long? EndpointGeneration => Interlocked.Read(ref _endpointGeneration);

    /// <summary>After a pass the interface holds exactly the desired peers; unknown before the first and while it is missing.</summary>
    public int? InterfacePeerCount => Volatile.Read(ref _interfacePeers) is >= 0 and var count ? count : null;

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

        RecordObserved(device);
    }

    /// <summary>Stops the loop (waits briefly for a running pass).</summary>
    public void Dispose()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        _stopping.Cancel();
        try
        {
            _loop?.Wait(StopTimeout);
        }
        catch (AggregateException)
        {
            // The loop ends by cancellation; the next start reconciles anyway.
        }

        _stopping.Dispose();
    }

    private static TaskCompletionSource NewWake() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var now = _time.GetUtcNow();
            DateTimeOffset? deadline;
            lock (_lock)
            {
                deadline = _reconciler.NextDeadline;
            }

            var due = deadline is { } d && d < _nextPeriodic ? d : _nextPeriodic;
            if (Volatile.Read(ref _probeRequested) == 1 && _nextProbe < due)
            {
                due = _nextProbe;
            }

            var wake = Volatile.Read(ref _wake);
            if (due > now && !wake.Task.IsCompleted)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var delay = Task.Delay(due - now, _time, wait.Token);
                if (_time.GetUtcNow() - now >= LateTimerTolerance)
                {
                    // The clock moved on before the timer was armed (a descheduled thread, a test's fake clock), so the
                    // timer would fire that much late: compute the wait again.
                    await wait.CancelAsync().ConfigureAwait(false);
                    continue;
                }

                await Task.WhenAny(wake.Task, delay).ConfigureAwait(false);
                await wait.CancelAsync().ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
            }

            // A commit reported from here on completes the new wake and so gets a pass of its own.
            Volatile.Write(ref _wake, NewWake());
            now = _time.GetUtcNow();
            bool periodic = now >= _nextPeriodic;
            if (periodic)
            {
                _nextPeriodic = now + _interval;
            }

            // A probe due now reads the device like the periodic pass (and so answers every request made so far).
            bool probe = Volatile.Read(ref _probeRequested) == 1 && now >= _nextProbe;
            if (probe || periodic)
            {
                Volatile.Write(ref _probeRequested, 0);
                _nextProbe = now + EndpointProbeInterval;
            }

            Pass(periodic || probe);
        }
    }

    private void Pass(bool periodic)
    {
        try
        {
            lock (_lock)
            {
                AfterPass(_reconciler.Reconcile(readDevice: periodic));
            }
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            ServeLog.WireGuardUpdateFailed(_logger, e, _interface, "reconcile peers");
        }
        finally
        {
            Interlocked.Increment(ref _passes);
        }
    }

    private void AfterPass(ReconcileResult result)
    {
        Volatile.Write(ref _interfacePeers, result.DeviceMissing ? -1 : result.DesiredCount);
        if (result.DeviceMissing)
        {
            ServeLog.InterfaceMissing(_logger, _interface);
            return;
        }

        // The device was read before the update: record what it saw, then forget the keys the update removed.
        if (result.Device is { } device)
        {
            RecordObserved(device);
        }

        if (result.Diff is { IsEmpty: false } diff)
        {
            ForgetObserved(diff.Removed);
            ServeLog.WireGuardUpdated(_logger, _interface, diff.Summary);
        }
    }

    private void RecordObserved(WireGuardDevice device)
    {
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
}
