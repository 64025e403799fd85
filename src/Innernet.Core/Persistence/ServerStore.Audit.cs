using Innernet.Core.Model;
using LiteDB;

namespace Innernet.Core.Persistence;

public sealed partial class ServerStore
{
    /// <summary>The last audit id handed out; read from the file on first use. Touched only by the writer thread.</summary>
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
                return new Planned<AuditEntry>(entry, state, () => InsertAudit(entry));
            },
            audited: false);
    }

    /// <summary><paramref name="entry"/> with the next audit id. Writer thread only.</summary>
    private AuditEntry NumberAuditEntry(AuditEntry entry)
    {
        // Ids continue from the log itself (the snapshot does not hold it); a failed commit leaves a gap, never a repeat.
        if (_lastAuditId < 0)
        {
            var audit = _db.GetCollection(StoreSchema.Audit);
            _lastAuditId = audit.Count() == 0 ? 0 : audit.Max("_id").AsInt64;
        }

        return entry with { Id = ++_lastAuditId };
    }

    /// <summary>Inserts <paramref name="entry"/> inside the open transaction. Writer thread only.</summary>
    private void InsertAudit(AuditEntry entry) => _db.GetCollection(StoreSchema.Audit).Insert(new BsonDocument
    {
        ["_id"] = entry.Id,
        [StoreSchema.Fields.Time] = StoreMapper.Write(entry.Time),
        [StoreSchema.Fields.Actor] = entry.Actor,
        [StoreSchema.Fields.Source] = entry.Source,
        [StoreSchema.Fields.Action] = entry.Action,
        [StoreSchema.Fields.Status] = entry.Status,
    });

    /// <summary>The audit log from <paramref name="since"/> on (all when null), oldest first.</summary>
    public IReadOnlyList<AuditEntry> ListAudit(DateTimeOffset? since)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var audit = _db.GetCollection(StoreSchema.Audit);
        var rows = since is { } from
            ? audit.Find(Query.GTE(StoreSchema.Fields.Time, from.ToUnixTimeSeconds()))
            : audit.FindAll();
        return [.. rows.Select(row => new AuditEntry(
            StoreMapper.ReadInt64(StoreMapper.Required(row, "_id"), "audit id"),
            StoreMapper.ReadTime(StoreMapper.Required(row, StoreSchema.Fields.Time)),
            StoreMapper.ReadString(StoreMapper.Required(row, StoreSchema.Fields.Actor), StoreSchema.Fields.Actor),
            StoreMapper.ReadString(StoreMapper.Required(row, StoreSchema.Fields.Source), StoreSchema.Fields.Source),
            StoreMapper.ReadString(StoreMapper.Required(row, StoreSchema.Fields.Action), StoreSchema.Fields.Action),
            (int)StoreMapper.ReadInt64(StoreMapper.Required(row, StoreSchema.Fields.Status), StoreSchema.Fields.Status)))
            .OrderBy(e => e.Id)];
    }
}
