using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace Innernet.Core.Persistence;

/// <summary>
/// Group commit: every write method queues a <see cref="PendingWrite"/> and waits for the write lock; whoever
/// holds it (the first waiting caller, the "leader") takes every queued write, plans each against the state the
/// writes before it in the batch leave, stages all their LiteDB changes in one transaction and commits it once —
/// one durable commit (two syncs, see <see cref="WriteAheadLogStream"/>) for the whole batch. Only after the commit
/// is the batch's final snapshot published and are its callers completed, so nobody (reader or caller) sees a
/// state that is not on disk. A caller whose write was taken by a leader finds it done when it gets the lock.
/// </summary>
/// <remarks>
/// <para>Each caller's error is its own: a write refused by validation fails alone and the batch goes on without
/// it. When the transaction itself fails (LiteDB or I/O), it is rolled back, the snapshot is re-read from the file
/// and the writes are retried one transaction each, so one bad write cannot take the others with it, and none is
/// half-applied. A commit that fails after it began writing the log cannot be rolled back by LiteDB 5.0 (its
/// transaction stays open, holding its locks); then every write of the batch fails, none is visible, the file
/// holds none of it (unconfirmed), and the store refuses further writes until it is reopened. Versions still grow by one per committed write (a batch publishes its last one).</para>
/// <para>The confirm flags of separate LiteDB transactions are never merged: a batch is one transaction, so a
/// crash keeps all of it or none.</para>
/// </remarks>
public sealed partial class ServerStore
{
    /// <summary>Most writes one transaction takes (bounds the transaction's size and a leader's extra work).</summary>
    private const int MaxWritesPerCommit = 256;

    private readonly ConcurrentQueue<PendingWrite> _queued = new();

    /// <summary>Set (under the write lock) when a commit failed and could not be rolled back: later writes fail fast.</summary>
    private Exception? _stoppedBy;

    /// <summary>
    /// Runs <paramref name="plan"/> against the newest state (committed writes plus those ahead of it in its batch)
    /// and commits its change; returns once the change is durable and published. The plan validates (throwing
    /// for a refusal) and returns the result, the state after the change and the LiteDB writes that make it; it
    /// must not touch the database itself and may run more than once (a retry).
    /// </summary>
    private T Write<T>(Func<StoreSnapshot, Planned<T>> plan)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var write = new PendingWrite<T>(plan);
        _queued.Enqueue(write);
        lock (_writeLock)
        {
            while (!write.IsDone)
            {
                CommitQueued();
            }
        }

        return write.Result;
    }

    /// <summary>Commits the writes queued now (up to <see cref="MaxWritesPerCommit"/>). Holds <see cref="_writeLock"/>.</summary>
    private void CommitQueued()
    {
        var batch = new List<PendingWrite>();
        while (batch.Count < MaxWritesPerCommit && _queued.TryDequeue(out var write))
        {
            batch.Add(write);
        }

        if (_disposed || _stoppedBy is not null)
        {
            foreach (var write in batch)
            {
                write.Fail(_disposed ? new ObjectDisposedException(nameof(ServerStore)) : Stopped(_stoppedBy!));
                write.Complete();
            }

            return;
        }

        if (!TryCommitTogether(batch))
        {
            foreach (var write in batch)
            {
                _ = TryCommitTogether([write]);
            }
        }
    }

    /// <summary>
    /// Plans, commits as one transaction, publishes and completes <paramref name="batch"/>. False (nothing
    /// completed, the snapshot re-read from the file) when a transaction of several writes failed: retry them alone.
    /// </summary>
    private bool TryCommitTogether(IReadOnlyList<PendingWrite> batch)
    {
        var start = _snapshot;
        var state = start;
        var changed = new List<PendingWrite>(batch.Count);
        foreach (var write in batch)
        {
            if (write.Plan(state) is { } next)
            {
                changed.Add(write);
                state = next;
            }
        }

        if (changed.Count > 0)
        {
            try
            {
                CommitTransaction(() =>
                {
                    foreach (var write in changed)
                    {
                        write.Stage();
                    }

                    if (state.Sequences != start.Sequences)
                    {
                        StoreSchema.WriteSequences(_db, state.Sequences);
                    }
                });
            }
            catch (Exception) when (changed.Count > 1 && _stoppedBy is null)
            {
                return false;
            }
            catch (Exception e)
            {
                foreach (var write in changed)
                {
                    // Each caller gets an exception of its own (one instance must not be thrown on several threads).
                    write.Fail(Translate(e) ?? (changed.Count == 1 ? e : new StoreException($"Database write to '{Source}' failed: {e.Message}", e)));
                }

                state = _snapshot;
            }
        }

        Volatile.Write(ref _snapshot, state);
        foreach (var write in batch)
        {
            write.Complete();
        }

        return true;
    }

    /// <summary>
    /// Runs <paramref name="stage"/> as one LiteDB transaction and commits it (durably: see
    /// <see cref="WriteAheadLogStream"/>). Callers hold <see cref="_writeLock"/>. On failure the transaction is rolled
    /// back, the snapshot is re-read from the file (so it cannot drift from it) and the original error is rethrown.
    /// </summary>
    private void CommitTransaction(Action stage)
    {
        if (!_db.BeginTrans())
        {
            throw new InvalidOperationException("Internal error: a database transaction is already open on this thread.");
        }

        try
        {
            stage();
            _db.Commit();
        }
        catch (Exception e)
        {
            if (!RollbackAndResync())
            {
                _stoppedBy ??= e;
            }

            throw;
        }
    }

    private StoreException Stopped(Exception cause) => new(
        $"Writes to the database '{Source}' are stopped: an earlier commit failed half-way ({cause.Message}) and LiteDB cannot roll it " +
        "back in this process. Every acknowledged write is on disk; restart the server to reopen the database.",
        cause);

    /// <summary>What a write's plan decided: its result and, unless it changes nothing, the next state and its LiteDB writes.</summary>
    private readonly record struct Planned<T>(T Result, StoreSnapshot? Next, Action? Stage)
    {
        public static Planned<T> Unchanged(T result) => new(result, null, null);
    }

    /// <summary>One queued write. Touched only by the thread holding <see cref="_writeLock"/> until it is done.</summary>
    private abstract class PendingWrite
    {
        private volatile bool _done;

        protected ExceptionDispatchInfo? Error { get; private set; }

        public bool IsDone => _done;

        /// <summary>Validates against <paramref name="state"/>: the state after the change, or null (no change, or refused).</summary>
        public abstract StoreSnapshot? Plan(StoreSnapshot state);

        /// <summary>Makes the planned change's LiteDB writes inside the open transaction.</summary>
        public abstract void Stage();

        public void Fail(Exception error) => Error = ExceptionDispatchInfo.Capture(error);

        protected void ClearError() => Error = null;

        /// <summary>Hands the outcome to the caller (after the commit and the publication of the snapshot).</summary>
        public void Complete() => _done = true;
    }

    private sealed class PendingWrite<T>(Func<StoreSnapshot, Planned<T>> plan) : PendingWrite
    {
        private Planned<T> _planned;

        /// <summary>The planned result, or the write's own error rethrown (with the caller's stack appended).</summary>
        public T Result
        {
            get
            {
                Error?.Throw();
                return _planned.Result;
            }
        }

        public override StoreSnapshot? Plan(StoreSnapshot state)
        {
            ClearError();
            try
            {
                _planned = plan(state);
                return _planned.Next;
            }
            catch (Exception e)
            {
                _planned = default;
                Fail(e);
                return null;
            }
        }

        public override void Stage() => _planned.Stage?.Invoke();
    }
}
