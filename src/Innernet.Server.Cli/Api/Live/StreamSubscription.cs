namespace Innernet.Server.Api.Live;

/// <summary>
/// One held stream: whose it is, which view it follows, the sequence it has been sent, and a wake-up. It holds no
/// copy of the view (messages are the view's shared bytes), so its memory does not grow with the network.
/// </summary>
/// <remarks>
/// The writer arms a wait (<see cref="Arm"/>), then asks the feed for what to send, then awaits the armed task:
/// a <see cref="Wake"/> after the arm is never lost. The feed's fields (<see cref="Sent"/>) are read and written
/// under the feed's lock.
/// </remarks>
internal sealed class StreamSubscription : IDisposable
{
    private readonly Lock _gate = new();
    private readonly ITimer _heartbeat;
    private readonly TimeSpan _heartbeatInterval;
    private TaskCompletionSource _wake = NewWake();
    private bool _heartbeatDue;
    private bool _ended;

    public StreamSubscription(long peerId, CidrView view, long sent, TimeProvider time, TimeSpan heartbeat)
    {
        PeerId = peerId;
        View = view;
        Sent = sent;
        _heartbeatInterval = heartbeat;
        _heartbeat = time.CreateTimer(static s => ((StreamSubscription)s!).HeartbeatDue(), this, heartbeat, Timeout.InfiniteTimeSpan);
    }

    public long PeerId { get; }

    public CidrView View { get; }

    /// <summary>The view sequence the client holds after what it was sent; -1: nothing yet (a full view is due).</summary>
    public long Sent { get; set; }

    /// <summary>True once the stream must end (caller disabled or removed, replaced, server stopping).</summary>
    public bool Ended
    {
        get
        {
            lock (_gate)
            {
                return _ended;
            }
        }
    }

    /// <summary>A task that completes at the next <see cref="Wake"/> (or at once if one came since the last arm).</summary>
    public Task Arm()
    {
        lock (_gate)
        {
            if (_wake.Task.IsCompleted)
            {
                _wake = NewWake();
            }

            return _wake.Task;
        }
    }

    /// <summary>Something may be due: a message, a heartbeat or the end.</summary>
    public void Wake()
    {
        TaskCompletionSource wake;
        lock (_gate)
        {
            wake = _wake;
        }

        wake.TrySetResult();
    }

    /// <summary>Ends the stream: the writer finishes the body at its next look.</summary>
    public void End()
    {
        lock (_gate)
        {
            _ended = true;
        }

        Wake();
    }

    /// <summary>True once when the heartbeat interval has passed without a message.</summary>
    public bool TakeHeartbeat()
    {
        lock (_gate)
        {
            bool due = _heartbeatDue;
            _heartbeatDue = false;
            return due;
        }
    }

    /// <summary>Something was just written: the next heartbeat is a full interval away.</summary>
    public void Written()
    {
        lock (_gate)
        {
            _heartbeatDue = false;
        }

        _heartbeat.Change(_heartbeatInterval, Timeout.InfiniteTimeSpan);
    }

    public void Dispose() => _heartbeat.Dispose();

    private void HeartbeatDue()
    {
        lock (_gate)
        {
            _heartbeatDue = true;
        }

        Wake();
    }

    private static TaskCompletionSource NewWake() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
