namespace Innernet.Server.Api.Live;

/// <summary>
/// One held stream: whose it is, which view it follows, the sequence it has been sent, and a wake-up. It holds no
/// copy of the view (messages are the view's shared bytes) and no timer of its own (the feed's once-a-second check
/// finds the silent ones), so its memory does not grow with the network.
/// </summary>
/// <remarks>
/// The writer arms a wait (<see cref="Arm"/>), then asks the feed for what to send, then awaits the armed task:
/// a <see cref="Wake"/> after the arm is never lost. <see cref="Sent"/> belongs to the stream's writer (set once by
/// the feed before the writer starts).
/// </remarks>
internal sealed class StreamSubscription(long peerId, CidrView view, long sent, DateTimeOffset now)
{
    private readonly Lock _gate = new();
    private TaskCompletionSource _wake = NewWake();
    private long _lastWrittenTicks = now.UtcTicks;
    private long _unsentCommit;
    private bool _heartbeatDue;
    private bool _ended;

    public long PeerId { get; } = peerId;

    public CidrView View { get; } = view;

    /// <summary>The view sequence the client holds after what it was sent; -1: nothing yet (a full view is due).</summary>
    public long Sent { get; set; } = sent;

    /// <summary>True once the stream must end (caller disabled or removed, replaced, gone, server stopping).</summary>
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

    /// <summary>When the stream last wrote a message or a heartbeat (or started).</summary>
    public DateTimeOffset LastWritten => new(Interlocked.Read(ref _lastWrittenTicks), TimeSpan.Zero);

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

    /// <summary>Something may be due: a message or the end.</summary>
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

    /// <summary>The stream has been silent too long: the writer sends a heartbeat at its next look.</summary>
    public void RequestHeartbeat()
    {
        lock (_gate)
        {
            _heartbeatDue = true;
        }

        Wake();
    }

    /// <summary>True once after <see cref="RequestHeartbeat"/>.</summary>
    public bool TakeHeartbeat()
    {
        lock (_gate)
        {
            bool due = _heartbeatDue;
            _heartbeatDue = false;
            return due;
        }
    }

    /// <summary>
    /// A pass published a change of this stream's view committed at <paramref name="committedAt"/> (a Stopwatch timestamp);
    /// the oldest such commit not yet written is kept, for the propagation lag.
    /// </summary>
    /// <returns>True when this commit is the one kept (no older one was).</returns>
    public bool Committed(long committedAt) => Interlocked.CompareExchange(ref _unsentCommit, committedAt, 0) == 0;

    /// <summary>The pass that called <see cref="Committed"/> published nothing for this view after all.</summary>
    public void Uncommitted(long committedAt) => Interlocked.CompareExchange(ref _unsentCommit, 0, committedAt);

    /// <summary>The commit the message just written carried (see <see cref="Committed"/>), once; 0 when none.</summary>
    public long TakeUnsentCommit() => Interlocked.Exchange(ref _unsentCommit, 0);

    /// <summary>Something was just written at <paramref name="now"/>.</summary>
    public void Written(DateTimeOffset now) => Interlocked.Exchange(ref _lastWrittenTicks, now.UtcTicks);

    private static TaskCompletionSource NewWake() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
