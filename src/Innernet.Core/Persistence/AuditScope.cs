using System.Threading;
using Innernet.Core.Model;

namespace Innernet.Core.Persistence;

/// <summary>
/// An admin action that the audit log records in the same transaction as the action's change: while a scope is
/// current (it flows with the async call chain), the first write of <see cref="ServerStore"/> that commits a change
/// also inserts <see cref="Entry"/> with its id, so the log holds the entry exactly when the file holds the action
/// (one durable commit for both; a crash cannot keep one without the other). A write refused by validation, or one that
/// changes nothing, records nothing; later writes in the same scope record nothing more.
/// </summary>
public sealed class AuditScope : IDisposable
{
    private static readonly AsyncLocal<AuditScope?> CurrentScope = new();
    private readonly AuditScope? _outer;
    private AuditEntry? _recorded;

    private AuditScope(AuditEntry entry)
    {
        Entry = entry;
        _outer = CurrentScope.Value;
        CurrentScope.Value = this;
    }

    /// <summary>What the entry says (its <see cref="AuditEntry.Id"/> is assigned when it is committed).</summary>
    public AuditEntry Entry { get; }

    /// <summary>The committed entry with its id, once a write in this scope committed a change; otherwise null.</summary>
    public AuditEntry? Recorded => Volatile.Read(ref _recorded);

    /// <summary>The scope of the current async flow, if any.</summary>
    internal static AuditScope? Current => CurrentScope.Value;

    /// <summary>Makes a scope current for the calling async flow until it is disposed.</summary>
    public static AuditScope Begin(DateTimeOffset time, string actor, string source, string action, int status)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(action);
        return new AuditScope(new AuditEntry(0, StoreMapper.ToStoredPrecision(time)!.Value, actor, source, action, status));
    }

    /// <summary>Set by the store's writer after the commit that holds the entry (before the write's caller resumes).</summary>
    internal void MarkRecorded(AuditEntry entry) => Volatile.Write(ref _recorded, entry);

    /// <inheritdoc/>
    public void Dispose()
    {
        if (CurrentScope.Value == this)
        {
            CurrentScope.Value = _outer;
        }
    }
}
