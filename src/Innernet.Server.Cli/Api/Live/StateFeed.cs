using Innernet.Core.Model;
using Innernet.Core.Persistence;

namespace Innernet.Server.Api.Live;

/// <summary>
/// The change feed behind <c>GET /v1/user/state/stream</c> (docs/api.md, "Live updates"). It is told that
/// something may have changed (<see cref="Notify"/>: after every API write, after the invitation sweep, and once a
/// second for the observed endpoints, which the reconciler refreshes every few seconds); it then waits for the burst
/// to end (<see cref="QuietPeriod"/> after the last change, at most <see cref="MaxDelay"/> after the first) and makes
/// one pass: it compares the committed state with the one of the last pass (peer records by reference), finds the
/// live <see cref="CidrView"/>s the change touches, brings each up to date and wakes its streams.
/// </summary>
/// <remarks>
/// Level-triggered: a pass looks at the store, not at what the notifications said, so extra or merged
/// notifications are harmless. Views exist only for CIDRs with a held stream (and linger <see cref="ViewLinger"/>
/// after the last one leaves, for reconnects); the work of a pass is proportional to the views it touches, not to
/// the number of streams. Thread-safe: one lock guards views and subscriptions; socket writes happen outside it.
/// </remarks>
internal sealed class StateFeed : IDisposable
{
    /// <summary>A pass runs this long after the last change of a burst...</summary>
    public static readonly TimeSpan QuietPeriod = TimeSpan.FromMilliseconds(20);

    /// <summary>...but never later than this after the first.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromMilliseconds(100);

    /// <summary>A stream that sent nothing for this long sends an empty line (found by the next check, within a second).</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(60);

    /// <summary>How often the feed looks by itself (observed endpoints change without an API call).</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    /// <summary>A view without streams is kept this long, so a client that reconnects gets a difference.</summary>
    public static readonly TimeSpan ViewLinger = TimeSpan.FromMinutes(10);

    private readonly ServerStore _store;
    private readonly IPeerSync _sync;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<long, CidrView> _views = [];
    private readonly Dictionary<long, StreamSubscription> _byPeer = [];
    private readonly ITimer _coalesce;
    private readonly ITimer _check;
    private CommittedState _last;
    private long? _lastGeneration;
    private long _sequence;
    private long _passes;
    private bool _pending;
    private DateTimeOffset _firstPending;
    private bool _stopped;

    public StateFeed(ServerStore store, IPeerSync sync, TimeProvider time, ILogger logger)
    {
        _store = store;
        _sync = sync;
        _time = time;
        _logger = logger;
        Epoch = ResumeToken.NewEpoch();
        _last = store.GetCommitted();
        _lastGeneration = sync.EndpointGeneration;
        _coalesce = time.CreateTimer(static s => ((StateFeed)s!).Publish(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _check = time.CreateTimer(static s => ((StateFeed)s!).Check(), this, CheckInterval, CheckInterval);
    }

    /// <summary>This run's token prefix: tokens of another run are unknown here.</summary>
    public string Epoch { get; }

    /// <summary>Held streams (tests, diagnostics).</summary>
    public int StreamCount
    {
        get
        {
            lock (_gate)
            {
                return _byPeer.Count;
            }
        }
    }

    /// <summary>True once <see cref="Stop"/> ran (the server is shutting down).</summary>
    public bool Stopped
    {
        get
        {
            lock (_gate)
            {
                return _stopped;
            }
        }
    }

    /// <summary>Passes made (tests wait on it).</summary>
    public long Passes => Interlocked.Read(ref _passes);

    /// <summary>Live views (tests, diagnostics).</summary>
    public int ViewCount
    {
        get
        {
            lock (_gate)
            {
                return _views.Count;
            }
        }
    }

    /// <summary>
    /// The state may have changed (a commit, an observed endpoint): schedule a pass at the end of the burst. Cheap
    /// when nothing changed or no stream is held.
    /// </summary>
    public void Notify()
    {
        lock (_gate)
        {
            if (_stopped || _views.Count == 0)
            {
                return;
            }

            var now = _time.GetUtcNow();
            if (!_pending)
            {
                if (_store.Version == _last.Version && _sync.EndpointGeneration == _lastGeneration)
                {
                    return;
                }

                _pending = true;
                _firstPending = now;
            }

            var due = _firstPending + MaxDelay - now;
            _coalesce.Change(due < QuietPeriod ? (due < TimeSpan.Zero ? TimeSpan.Zero : due) : QuietPeriod, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>
    /// Registers the stream of <paramref name="caller"/>, ending its older one. <paramref name="since"/> is the
    /// client's token: the first message is nothing, a difference or a full view depending on it.
    /// </summary>
    /// <returns>The subscription; null when the caller is no longer an enabled, redeemed peer or the feed stopped.</returns>
    public StreamSubscription? Subscribe(Peer caller, string? since)
    {
        ArgumentNullException.ThrowIfNull(caller);
        StreamSubscription? replaced = null;
        StreamSubscription subscription;
        lock (_gate)
        {
            var state = _store.GetCommitted();
            if (_stopped || state.FindPeer(caller.Id) is not { IsDisabled: false, IsRedeemed: true } current)
            {
                return null;
            }

            if (_views.Count == 0)
            {
                _last = state;
                _lastGeneration = _sync.EndpointGeneration;
            }

            if (!_views.TryGetValue(current.CidrId, out var view))
            {
                // A new sequence: a token issued before this view existed cannot describe its content.
                view = new CidrView(current.CidrId, state, _sync, ++_sequence, Epoch);
                _views[current.CidrId] = view;
            }

            long sent = ResumeToken.Parse(since, Epoch) is { } token && view.CanContinueFrom(token) ? token : -1;
            subscription = new StreamSubscription(current.Id, view, sent, _time.GetUtcNow());
            if (_byPeer.Remove(current.Id, out replaced))
            {
                Detach(replaced);
            }

            _byPeer[current.Id] = subscription;
            view.Subscribers.Add(subscription);
            view.IdleSince = null;
        }

        replaced?.End();
        return subscription;
    }

    /// <summary>The stream ended (any reason): forget it.</summary>
    public void Unsubscribe(StreamSubscription subscription)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        lock (_gate)
        {
            if (_byPeer.TryGetValue(subscription.PeerId, out var held) && held == subscription)
            {
                _byPeer.Remove(subscription.PeerId);
            }

            Detach(subscription);
        }
    }

    /// <summary>
    /// What the stream must send now to be up to date, or null (see <see cref="CidrView.Next"/>). The common case,
    /// a stream one difference behind, reads the view's latest publication without the lock.
    /// </summary>
    public byte[]? Next(StreamSubscription subscription)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        if (subscription.View.TryNextWithoutLock(subscription, out var message))
        {
            return message;
        }

        lock (_gate)
        {
            return subscription.View.Next(subscription);
        }
    }

    /// <summary>The clock of heartbeats (the endpoint stamps its writes with it).</summary>
    public DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>Ends every stream and stops looking (server shutdown).</summary>
    public void Stop()
    {
        List<StreamSubscription> ending;
        lock (_gate)
        {
            _stopped = true;
            ending = [.. _byPeer.Values];
        }

        foreach (var subscription in ending)
        {
            subscription.End();
        }

        _coalesce.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _check.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public void Dispose()
    {
        Stop();
        _coalesce.Dispose();
        _check.Dispose();
    }

    /// <summary>Runs one pass now (the coalescing timer's callback).</summary>
    internal void Publish()
    {
        List<StreamSubscription> wake = [];
        try
        {
            lock (_gate)
            {
                _pending = false;
                if (!_stopped)
                {
                    Pass(_store.GetCommitted(), _sync.EndpointGeneration, wake);
                }
            }
        }
#pragma warning disable CA1031 // A timer callback must not throw; the next notification tries again.
        catch (Exception e)
#pragma warning restore CA1031
        {
            ApiLog.StateFeedFailed(_logger, e);
        }

        Interlocked.Increment(ref _passes);
        foreach (var subscription in wake)
        {
            subscription.Wake();
        }
    }

    /// <summary>Once a second: drops views idle too long, asks silent streams for a heartbeat, notices endpoint changes.</summary>
    private void Check()
    {
        List<StreamSubscription> silent = [];
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            foreach (var view in _views.Values.Where(v => v.IdleSince is { } idle && now - idle >= ViewLinger).ToList())
            {
                _views.Remove(view.CidrId);
            }

            silent.AddRange(_byPeer.Values.Where(s => now - s.LastWritten >= HeartbeatInterval));
        }

        foreach (var subscription in silent)
        {
            subscription.RequestHeartbeat();
        }

        Notify();
    }

    /// <summary>
    /// Compares <paramref name="state"/> with the last pass's, updates the touched views and collects the streams
    /// to wake. Callers hold the lock.
    /// </summary>
    private void Pass(CommittedState state, long? generation, List<StreamSubscription> wake)
    {
        var previous = _last;
        bool endpointsMayDiffer = generation is null || generation != _lastGeneration;
        _last = state;
        _lastGeneration = generation;
        bool structureChanged = previous.Cidrs != state.Cidrs || previous.Associations != state.Associations;
        var changedCidrs = new HashSet<long>();
        foreach (var (_, before, after) in PeerRowChanges.Between(previous.Peers, state.Peers))
        {
            var peer = after ?? before!;
            changedCidrs.Add(peer.CidrId);
            if (_byPeer.TryGetValue(peer.Id, out var own)
                && (after is not { IsDisabled: false, IsRedeemed: true } || own.View.CidrId != after.CidrId))
            {
                // Disabled or removed: its own stream ends now; the views below drop it for everyone else.
                own.End();
            }
        }

        if (!structureChanged && !endpointsMayDiffer && changedCidrs.Count == 0)
        {
            return;
        }

        long sequence = _sequence + 1;
        bool published = false;
        long committedAt = state.Version != previous.Version ? state.CommittedAt : 0;
        foreach (var view in _views.Values)
        {
            bool touched = structureChanged || endpointsMayDiffer || changedCidrs.Any(view.Sees);
            if (!touched)
            {
                continue;
            }

            // Marked before the update publishes: a stream that reads the new message then finds the mark.
            List<StreamSubscription> marked = committedAt == 0 ? [] : [.. view.Subscribers.Where(s => s.Committed(committedAt))];
            if (view.Update(state, _sync, endpointsMayDiffer, structureChanged, sequence))
            {
                published = true;
                wake.AddRange(view.Subscribers);
            }
            else
            {
                marked.ForEach(s => s.Uncommitted(committedAt));
            }
        }

        if (published)
        {
            _sequence = sequence;
        }
    }

    private void Detach(StreamSubscription subscription)
    {
        var view = subscription.View;
        if (view.Subscribers.Remove(subscription) && view.Subscribers.Count == 0)
        {
            view.IdleSince = _time.GetUtcNow();
        }
    }
}
