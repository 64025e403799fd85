using System.Threading;
using System.Threading.Tasks;
using Innernet.Core.Model;

namespace Innernet.Core.Persistence;

/// <summary>
/// Replicas: several servers on one PostgreSQL database. Each commit locks the database's state first
/// (<see cref="StoreEngine.LockState"/>) and, when another server committed meanwhile, re-reads it and plans its writes
/// again; a batch with a refused write (or one changing nothing) first asks whether the state is still the newest
/// (<see cref="StoreEngine.IsStale"/>) and is planned again on the newest when not (ServerStore.Writes.cs). The engine
/// also tells the store when another server may have committed
/// (<see cref="StoreEngine.Watch"/>); the writer then checks, re-reads the whole state and publishes it as a new
/// <see cref="Version"/>, keeping the objects of unchanged rows, and raises <see cref="CommittedElsewhere"/>.
/// </summary>
public sealed partial class ServerStore
{
    /// <summary>Queued to wake the writer for a look at the database (<see cref="RequestRefresh"/>).</summary>
    private readonly RefreshSignal _refreshSignal = new();

    /// <summary>1 while a refresh is queued: signals coalesce into one look.</summary>
    private int _refreshRequested;

    /// <summary>The writer published another server's commit that <see cref="CommittedElsewhere"/> has not announced yet.</summary>
    private bool _committedElsewhere;

    /// <summary>
    /// Raised (on a thread-pool thread) after the store published a state that another server sharing the database
    /// committed: what a local write's caller learns from its answer, those who follow the store learn from this (the
    /// live feed, WireGuard). Never raised for this store's own writes. Handlers must not block.
    /// </summary>
    public event EventHandler? CommittedElsewhere;

    /// <summary>True when this store is one of several replicas sharing a database.</summary>
    public bool IsReplica => _engine.IsReplica;

    /// <summary>
    /// Registers this server's external endpoint <paramref name="own"/> (null: none) and returns the live servers' external
    /// endpoints: replicas sharing a PostgreSQL database see each other's, seen within <paramref name="liveFor"/>; a single
    /// server only its own. May run on any thread, beside writes.
    /// </summary>
    /// <exception cref="StoreException">The database could not be reached.</exception>
    public IReadOnlyList<Endpoint> Heartbeat(Endpoint? own, TimeSpan liveFor)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        try
        {
            return _engine.Heartbeat(own, liveFor);
        }
        catch (Exception e) when (_engine.Wrap(e, "record the replica's heartbeat") is { } wrapped)
        {
            throw wrapped;
        }
    }

    /// <summary>The engine's signal (any thread, never blocks): have the writer look for other servers' commits.</summary>
    private void RequestRefresh()
    {
        if (_disposed || Interlocked.Exchange(ref _refreshRequested, 1) == 1)
        {
            return;
        }

        try
        {
            _queued.Add(_refreshSignal);
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
        {
            // The store is closing: no more looks.
        }
    }

    /// <summary>Writer thread: re-reads and publishes the state when another server committed since the last read.</summary>
    private void RefreshIfStale()
    {
        // Cleared before the look: a signal arriving during it queues another.
        Volatile.Write(ref _refreshRequested, 0);
        if (_stoppedBy is not null)
        {
            return;
        }

        _ = Newest(_snapshot);
    }

    /// <summary>
    /// Writer thread: <paramref name="current"/>, or the newest state when another server committed since it was read (then
    /// read and published). Only engines sharing their database ask the database anything.
    /// </summary>
    private StoreSnapshot Newest(StoreSnapshot current)
    {
        try
        {
            if (_engine.IsStale())
            {
                var newest = ReadSnapshot(current.Version + 1, current);
                PublishCommittedElsewhere(newest);
                return newest;
            }
        }
        catch (Exception e) when (e is InnernetException || _engine.Wrap(e, Source) is not null)
        {
            // The database is unreachable (or a row damaged): readers keep the last state; the next signal or write looks again.
        }

        return current;
    }

    /// <summary>Writer thread: <paramref name="state"/>, read after another server's commit, becomes the current state.</summary>
    private void PublishCommittedElsewhere(StoreSnapshot state)
    {
        Volatile.Write(ref _snapshot, state);

        // That server may have appended to the audit log: number from the database again.
        _lastAuditId = -1;
        _committedElsewhere = true;
    }

    /// <summary>Writer thread, after a batch: raises <see cref="CommittedElsewhere"/> once for what it published.</summary>
    private void AnnounceCommittedElsewhere()
    {
        if (!_committedElsewhere)
        {
            return;
        }

        _committedElsewhere = false;
        if (CommittedElsewhere is { } handlers)
        {
            _ = Task.Run(() => handlers(this, EventArgs.Empty));
        }
    }

    /// <summary>The writer's wake-up for a refresh: no plan, no rows.</summary>
    private sealed class RefreshSignal() : PendingWrite(null)
    {
        public override StoreSnapshot? Plan(StoreSnapshot state) => null;

        public override void Stage()
        {
        }
    }
}
