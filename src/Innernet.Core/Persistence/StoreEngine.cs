using Innernet.Core.Model;

namespace Innernet.Core.Persistence;

/// <summary>
/// Where a <see cref="ServerStore"/> keeps its rows: the embedded LiteDB file (the default) or a PostgreSQL database
/// (Innernet.Server.PostgreSql). The store itself holds every rule (validation, uniqueness, one-time redeem, id
/// sequences), the in-memory snapshot readers use and the group-commit writer; an engine only stores rows, in
/// transactions the store opens, and reads them back. Every member except <see cref="Source"/>, <see cref="ReadAudit"/>
/// and <see cref="Dispose()"/> is called on the store's writer thread (or on the creating thread before the writer
/// starts), never concurrently.
/// </summary>
/// <remarks>
/// <para><b>Durability.</b> <see cref="CommitTransaction"/> returns only once the transaction is on stable storage:
/// the store acknowledges a write right after it.</para>
/// <para><b>Exclusivity.</b> An open engine is normally its database's only writer (LiteDB: an exclusive file lock;
/// PostgreSQL: an advisory lock), so the store's snapshot is exactly the committed content.</para>
/// <para><b>Shared databases.</b> An engine whose database other servers write too (PostgreSQL replicas) says so in
/// three places: <see cref="LockState"/> (a transaction that finds another writer's commit makes the store re-read the
/// rows under the lock and plan its writes again), <see cref="IsStale"/> and <see cref="Watch"/> (it tells the store
/// when another writer may have committed; the store re-reads the state and publishes it as a new
/// <see cref="ServerStore.Version"/>). The defaults are those of an only writer.</para>
/// </remarks>
public abstract class StoreEngine : IDisposable
{
    /// <summary>What the engine stores into, for messages: a file path, "(stream)" or a PostgreSQL database.</summary>
    public abstract string Source { get; }

    /// <summary>Whether the engine shares its database with other servers (replicas); false for an only writer.</summary>
    public virtual bool IsReplica => false;

    /// <summary>Creates the schema of a new database and checks that it is empty (inside the open transaction).</summary>
    /// <exception cref="StoreException">The database already holds a network.</exception>
    protected internal abstract void CreateSchema();

    /// <summary>Checks that the database is an innernet-server database this build understands, migrating an older schema.</summary>
    /// <exception cref="StoreException">Not an innernet-server database, damaged, or too new.</exception>
    protected internal abstract void MigrateAndCheck();

    /// <summary>Every row of the committed state (outside any transaction, or inside the open one).</summary>
    /// <exception cref="StoreException">A row is damaged.</exception>
    protected internal abstract StoredRows ReadRows();

    /// <summary>Opens the transaction the next row writes join.</summary>
    protected internal abstract void BeginTransaction();

    /// <summary>
    /// Inside the open transaction, before the store stages its first row: makes this transaction the database's only
    /// writer until it ends and says whether the state this engine last read or committed is still the newest. False
    /// only where other writers share the database: the store then reads the rows again inside this transaction (nobody
    /// else can commit now) and plans its writes on them. An only writer needs no lock: true.
    /// </summary>
    /// <exception cref="StoreException">Another writer changed a database this engine should be the only writer of.</exception>
    protected internal virtual bool LockState() => true;

    /// <summary>
    /// Outside any transaction: true when another writer committed since this engine last read or committed (a cheap check;
    /// only engines sharing their database can say true).
    /// </summary>
    protected internal virtual bool IsStale() => false;

    /// <summary>
    /// Starts telling the store, through <paramref name="changed"/> (on any thread, never blocking), that another writer
    /// may have committed: the store then checks <see cref="IsStale"/> and re-reads. Called once the store's writer runs;
    /// an only writer never calls <paramref name="changed"/>. Stops when the engine closes.
    /// </summary>
    protected internal virtual void Watch(Action changed)
    {
    }

    /// <summary>
    /// Outside any transaction: proves that the database answers now, with one round trip where there is one (PostgreSQL:
    /// a query on the writer's connection, reconnecting as a write would). An embedded file always answers: nothing to do.
    /// </summary>
    /// <exception cref="Exception">The database does not answer (the engine's own exception: the store wraps it).</exception>
    protected internal virtual void Ping()
    {
    }

    /// <summary>
    /// Why this engine does not hear other writers' commits right now (a replica's listener lost its connection), or null.
    /// Null for an only writer. May be read on any thread.
    /// </summary>
    public virtual string? WatchProblem => null;

    /// <summary>Commits the open transaction durably.</summary>
    protected internal abstract void CommitTransaction();

    /// <summary>Rolls the open transaction back; false when the engine cannot (its transaction is stuck: stop writing).</summary>
    protected internal abstract bool TryRollback();

    /// <summary>Stages a new CIDR row in the open transaction.</summary>
    protected internal abstract void InsertCidr(Cidr cidr);

    /// <summary>Stages the new values of an existing CIDR row (by id).</summary>
    protected internal abstract void UpdateCidr(Cidr cidr);

    /// <summary>Stages the deletion of a CIDR row.</summary>
    protected internal abstract void DeleteCidr(long id);

    /// <summary>Stages a new peer row (and its key history).</summary>
    protected internal abstract void InsertPeer(Peer peer);

    /// <summary>Stages the new values of an existing peer row (by id), its key history included.</summary>
    protected internal abstract void UpdatePeer(Peer peer);

    /// <summary>Stages the deletion of a peer row (and its key history).</summary>
    protected internal abstract void DeletePeer(long id);

    /// <summary>Stages a new association row.</summary>
    protected internal abstract void InsertAssociation(Association association);

    /// <summary>Stages the deletion of an association row.</summary>
    protected internal abstract void DeleteAssociation(long id);

    /// <summary>Stores the last ids handed out (they only grow).</summary>
    protected internal abstract void WriteSequences(IdSequences sequences);

    /// <summary>Replaces the reserved IPs with <paramref name="reserved"/>.</summary>
    protected internal abstract void WriteReservedIps(IReadOnlyCollection<ReservedIp> reserved);

    /// <summary>The highest audit id stored, 0 when the log is empty.</summary>
    protected internal abstract long ReadLastAuditId();

    /// <summary>Stages an audit entry (its id already numbered).</summary>
    protected internal abstract void InsertAudit(AuditEntry entry);

    /// <summary>
    /// The audit log from <paramref name="since"/> on (all when null), oldest first. May run on any thread, concurrently with
    /// writes.
    /// </summary>
    protected internal abstract IReadOnlyList<AuditEntry> ReadAudit(DateTimeOffset? since);

    /// <summary>
    /// Records that this server answers at <paramref name="own"/> (null: it does not say) and returns the external endpoints
    /// of every server of the network seen within <paramref name="liveFor"/>, in a stable order. One server per store (the
    /// default) has only its own; replicas sharing a database see each other's. May run on any thread.
    /// </summary>
    protected internal virtual IReadOnlyList<Endpoint> Heartbeat(Endpoint? own, TimeSpan liveFor) => own is null ? [] : [own];

    /// <summary>The writer has nothing queued: a moment for housekeeping (LiteDB checkpoints its log). Must not throw.</summary>
    protected internal virtual void Idle()
    {
    }

    /// <summary>True when <paramref name="e"/> is the engine's refusal of a duplicate unique value.</summary>
    protected internal abstract bool IsUniqueViolation(Exception e);

    /// <summary>
    /// A <see cref="StoreException"/> for the engine's own and I/O failures; null for anything else (a bug: let it through).
    /// </summary>
    protected internal abstract StoreException? Wrap(Exception e, string what);

    /// <summary>
    /// Like <see cref="Wrap"/>, for a failure while the store opens the database: the engine may know more failures that
    /// mean "damaged or not a database" (LiteDB decodes pages without checksums).
    /// </summary>
    protected internal virtual StoreException? WrapOpenFailure(Exception e, string what) => Wrap(e, what);

    /// <summary>
    /// Releases the database (on the writer thread). <paramref name="abandon"/>: a commit failed and could not be
    /// rolled back; whatever holds that transaction must not be finalized.
    /// </summary>
    protected internal abstract void Close(bool abandon);

    /// <summary>After a failed <see cref="ServerStore"/> creation (the engine is closed): remove what creating left behind.</summary>
    protected internal virtual void DiscardCreated()
    {
    }

    /// <summary>Closes the engine (when no store took it over; a store closes its engine itself).</summary>
    public void Dispose()
    {
        Close(abandon: false);
        GC.SuppressFinalize(this);
    }
}

/// <summary>Every row of a store, as an engine reads them (any order).</summary>
public sealed record StoredRows(
    IReadOnlyList<Cidr> Cidrs,
    IReadOnlyList<Peer> Peers,
    IReadOnlyList<Association> Associations,
    IdSequences Sequences,
    IReadOnlyList<ReservedIp> ReservedIps);
