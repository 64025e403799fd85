using System.Collections.Concurrent;
using System.Diagnostics;
using Innernet.Core.Model;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace Innernet.Core.Persistence;

/// <summary>
/// Group commit: every write method queues a <see cref="PendingWrite"/> and waits for it. The store's writer thread
/// takes every queued write, plans each against the state the writes before it in the batch leave, stages all their
/// LiteDB changes in one transaction and commits it once — one durable commit (two syncs, see
/// <see cref="WriteAheadLogStream"/>) for the whole batch; writes that arrive meanwhile form the next batch. Only
/// after the commit is the batch's final snapshot published and are its callers completed, so nobody (reader or
/// caller) sees a state that is not on disk.
/// </summary>
/// <remarks>
/// <para>Each caller's error is its own: a write refused by validation fails alone and the batch goes on without
/// it. When the transaction itself fails (LiteDB or I/O), it is rolled back, the snapshot is re-read from the file
/// and the writes are retried one transaction each, so one bad write cannot take the others with it, and none is
/// half-applied. A commit that fails after it began writing the log cannot be rolled back by LiteDB 5.0 (its
/// transaction stays open, holding its locks); then every write of the batch fails, none is visible, the file
/// holds none of it (unconfirmed), and the store refuses further writes until it is reopened. Versions still grow by one per committed
/// write (a batch publishes its last one).</para>
/// <para>The confirm flags of separate LiteDB transactions are never merged: a batch is one transaction, so a
/// crash keeps all of it or none.</para>
/// <para>On a database shared with other servers (PostgreSQL replicas) the writer asks the engine to lock the state before
/// staging (<see cref="StoreEngine.LockState"/>); when another server committed since the last read, the writer reads the
/// state inside that transaction, publishes it and plans the whole batch again on it, so validation runs on the newest
/// state and a write is never refused (or retried) for a conflict alone. When the engine signals another server's commit
/// (ServerStore.Replicas.cs), the writer re-reads the state between batches.</para>
/// <para>One long-lived thread runs every transaction because LiteDB binds a transaction to the thread that began
/// it, and one that failed half-way stays attached to that thread: on a request thread that later exits, its
/// finalizer throws and takes the process down. The writer also closes the database, on the same thread.</para>
/// </remarks>
public sealed partial class ServerStore
{
    /// <summary>Most writes one transaction takes (bounds the transaction's size and a leader's extra work).</summary>
    private const int MaxWritesPerCommit = 256;

    private readonly BlockingCollection<PendingWrite> _queued = new(new ConcurrentQueue<PendingWrite>());
    private Thread? _writer;

    /// <summary>Set (by the writer) when a commit failed and could not be rolled back: later writes fail fast.</summary>
    private Exception? _stoppedBy;

    /// <summary>
    /// Runs <paramref name="plan"/> against the newest state (committed writes plus those ahead of it in its batch)
    /// and commits its change; returns once the change is durable and published. The plan validates (throwing
    /// for a refusal) and returns the result, the state after the change and the LiteDB writes that make it; it
    /// must not touch the database itself and may run more than once (a retry). Inside an <see cref="AuditScope"/> the
    /// scope's entry is committed with the change (unless <paramref name="audited"/> is false or the scope has one already).
    /// </summary>
    private T Write<T>(Func<StoreSnapshot, Planned<T>> plan, bool audited = true)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var write = new PendingWrite<T>(plan, audited ? AuditScope.Current : null);
        try
        {
            _queued.Add(write);
        }
        catch (InvalidOperationException e)
        {
            // Disposed since the check: the queue takes no more writes.
            throw new ObjectDisposedException(nameof(ServerStore), e);
        }

        return write.WaitForResult();
    }

    /// <summary>Starts the writer once the store's state is loaded (before the store is handed out).</summary>
    private void StartWriter()
    {
        _writer = new Thread(WriterLoop) { IsBackground = true, Name = "ServerStore writer" };
        _writer.Start();
        _engine.Watch(RequestRefresh);
    }

    /// <summary>
    /// Commits batches of queued writes (up to <see cref="MaxWritesPerCommit"/> each) until the store is disposed, then
    /// closes the database on this thread.
    /// </summary>
    private void WriterLoop()
    {
        try
        {
            while (_queued.TryTake(out var first, Timeout.Infinite))
            {
                var batch = new List<PendingWrite> { first };
                while (batch.Count < MaxWritesPerCommit && _queued.TryTake(out var next))
                {
                    batch.Add(next);
                }

                if (batch.RemoveAll(w => w == _refreshSignal) > 0)
                {
                    RefreshIfStale();
                }

                if (batch.Count > 0)
                {
                    CommitBatch(batch);
                }

                AnnounceCommittedElsewhere();
                if (_queued.Count == 0)
                {
                    CheckpointWhileIdle();
                }
            }
        }
        finally
        {
            CloseDatabase();
        }
    }

    /// <summary>Housekeeping while nobody waits (LiteDB: the idle checkpoint, see <see cref="LiteDbStoreEngine"/>).</summary>
    private void CheckpointWhileIdle()
    {
        if (_stoppedBy is null)
        {
            _engine.Idle();
        }
    }

    private void CommitBatch(List<PendingWrite> batch)
    {
        if (_stoppedBy is not null)
        {
            foreach (var write in batch)
            {
                write.Fail(Stopped(_stoppedBy));
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
        var (state, changed) = PlanBatch(batch, start);
        if (changed.Count < batch.Count && Newest(start) is var newest && newest != start)
        {
            // A refusal (or a write that changes nothing) must hold on the newest state, not on one another server sharing the
            // database has moved on from (a peer it deleted, an invitation it created): plan again on that state.
            start = newest;
            (state, changed) = PlanBatch(batch, start);
        }

        if (changed.Count > 0)
        {
            try
            {
                CommitTransaction(() =>
                {
                    if (!_engine.LockState())
                    {
                        // Another server sharing the database committed since this one read it, and nobody else can commit
                        // while this transaction holds the lock: read that state and plan the batch again on it, so every
                        // rule (unique values, one-time redeem, ids from the stored sequences) holds across the servers.
                        start = ReadSnapshot(start.Version + 1, start);
                        PublishCommittedElsewhere(start);
                        (state, changed) = PlanBatch(batch, start);
                    }

                    foreach (var write in changed)
                    {
                        write.Stage();
                        if (write.AuditEntry is { } entry)
                        {
                            _engine.InsertAudit(entry);
                        }
                    }

                    if (state.Sequences != start.Sequences)
                    {
                        _engine.WriteSequences(state.Sequences);
                    }
                });
                state.MarkCommitted(start);
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
                    write.Fail(Translate(e)
                        ?? (changed.Count == 1 ? e : new StoreException($"Database write to '{Source}' failed: {e.Message}", e)));
                }

                state = _snapshot;
                changed.Clear();
            }
        }

        Volatile.Write(ref _snapshot, state);
        foreach (var write in changed)
        {
            if (write.AuditEntry is { } entry)
            {
                write.Audit!.MarkRecorded(entry);
            }
        }

        foreach (var write in batch)
        {
            write.Complete();
        }

        return true;
    }

    /// <summary>
    /// Plans every write of <paramref name="batch"/> on the state the writes before it leave, from <paramref name="start"/>:
    /// the final state and the writes that change something (each numbered with its audit entry, if it records one).
    /// </summary>
    private (StoreSnapshot State, List<PendingWrite> Changed) PlanBatch(IReadOnlyList<PendingWrite> batch, StoreSnapshot start)
    {
        var state = start;
        var changed = new List<PendingWrite>(batch.Count);
        foreach (var write in batch)
        {
            write.AuditEntry = null;
            if (write.Plan(state) is not { } next)
            {
                continue;
            }

            if (write.Audit is { Recorded: null } scope)
            {
                try
                {
                    write.AuditEntry = NumberAuditEntry(scope.Entry);
                }
                catch (StoreException e)
                {
                    write.Fail(e);
                    continue;
                }
            }

            changed.Add(write);
            state = next;
        }

        return (state, changed);
    }

    /// <summary>
    /// Runs <paramref name="stage"/> as one LiteDB transaction and commits it (durably: see
    /// <see cref="WriteAheadLogStream"/>). Runs on the writer thread (or on the creating one before it starts). On failure the transaction
    /// is rolled
    /// back, the snapshot is re-read from the file (so it cannot drift from it) and the original error is rethrown.
    /// </summary>
    private void CommitTransaction(Action stage)
    {
        long started = Stopwatch.GetTimestamp();
        try
        {
            _engine.BeginTransaction();
        }
        catch (Exception)
        {
            // Nothing began (the database cannot be reached): nothing to roll back.
            _metrics.CommitFailed();
            throw;
        }

        try
        {
            stage();
            _engine.CommitTransaction();
            _metrics.Committed(started);
        }
        catch (Exception e)
        {
            _metrics.CommitFailed();
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

    /// <summary>One queued write. Touched only by the writer until it is complete, then only by its caller.</summary>
    private abstract class PendingWrite(AuditScope? audit) : IDisposable
    {
        private readonly ManualResetEventSlim _done = new();

        /// <summary>The caller's audit scope (null: none, or the write is not audited).</summary>
        public AuditScope? Audit { get; } = audit;

        /// <summary>The scope's entry, numbered, when this write's planned change records it.</summary>
        public AuditEntry? AuditEntry { get; set; }

        protected ExceptionDispatchInfo? Error { get; private set; }

        /// <summary>Disposed by the caller after it was completed: the writer is done with it.</summary>
        public void Dispose() => _done.Dispose();

        protected void WaitForCompletion() => _done.Wait();

        /// <summary>Validates against <paramref name="state"/>: the state after the change, or null (no change, or refused).</summary>
        public abstract StoreSnapshot? Plan(StoreSnapshot state);

        /// <summary>Makes the planned change's LiteDB writes inside the open transaction.</summary>
        public abstract void Stage();

        public void Fail(Exception error) => Error = ExceptionDispatchInfo.Capture(error);

        protected void ClearError() => Error = null;

        /// <summary>Hands the outcome to the caller (after the commit and the publication of the snapshot).</summary>
        public void Complete() => _done.Set();
    }

    private sealed class PendingWrite<T>(Func<StoreSnapshot, Planned<T>> plan, AuditScope? audit) : PendingWrite(audit)
    {
        private Planned<T> _planned;

        /// <summary>Waits until the write is committed (or refused): its result, or its own error rethrown (the caller's stack
        /// appended).</summary>
        public T WaitForResult()
        {
            WaitForCompletion();
            Error?.Throw();
            return _planned.Result;
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
