using Innernet.Core.Model;

namespace Innernet.Core.Persistence;

public sealed partial class ServerStore
{
    /// <summary>
    /// The last audit id handed out; read from the database on first use, and again after a state another server sharing
    /// the database committed was read. Touched only by the writer thread.
    /// </summary>
    private long _lastAuditId = -1;

    /// <summary>
    /// Appends an admin action to the audit log (durable when this returns, like every write) in a transaction of its own.
    /// An action made through the store inside an <see cref="AuditScope"/> is recorded with its change instead. The log
    /// lives in the database file but not in the in-memory snapshot: it only grows, and only <see cref="ListAudit"/> reads it.
    /// </summary>
    /// <returns>The entry with its id.</returns>
    public AuditEntry AppendAudit(DateTimeOffset time, string actor, string source, string action, int status)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(action);
        var stored = StoreMapper.ToStoredPrecision(time)!.Value;
        return Write(
            state =>
            {
                var entry = NumberAuditEntry(new AuditEntry(0, stored, actor, source, action, status));
                // The snapshot itself is the next state: nothing a reader sees changes, but the entry is committed.
                return new Planned<AuditEntry>(entry, state, () => _engine.InsertAudit(entry));
            },
            audited: false);
    }

    /// <summary>
    /// The entry of an admin action that succeeded: the one committed with its change, or, when no write of the scope
    /// changed anything, <paramref name="scope"/>'s entry appended on its own with <paramref name="status"/> (an action
    /// is recorded even when it changed nothing).
    /// </summary>
    public AuditEntry EnsureAudited(AuditScope scope, int status)
    {
        ArgumentNullException.ThrowIfNull(scope);
        if (scope.Recorded is { } recorded)
        {
            return recorded;
        }

        var entry = scope.Entry;
        return AppendAudit(entry.Time, entry.Actor, entry.Source, entry.Action, status);
    }

    /// <summary><paramref name="entry"/> with the next audit id. Writer thread only.</summary>
    private AuditEntry NumberAuditEntry(AuditEntry entry)
    {
        // Ids continue from the log itself (the snapshot does not hold it); a failed commit leaves a gap, never a repeat.
        if (_lastAuditId < 0)
        {
            try
            {
                _lastAuditId = _engine.ReadLastAuditId();
            }
            catch (Exception e) when (_engine.Wrap(e, $"Cannot read the audit log of '{Source}'") is { } wrapped)
            {
                // The write fails on the database before its transaction: a commit failure all the same.
                _metrics.CommitFailed();
                throw wrapped;
            }
        }

        return entry with { Id = ++_lastAuditId };
    }

    /// <summary>The audit log from <paramref name="since"/> on (all when null), oldest first.</summary>
    public IReadOnlyList<AuditEntry> ListAudit(DateTimeOffset? since)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _engine.ReadAudit(since);
    }
}
