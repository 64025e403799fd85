using System.Collections.Concurrent;
using System.IO;
using System.Runtime.CompilerServices;
using Innernet.Core.Model;
using LiteDB;
using LiteDB.Engine;

namespace Innernet.Core.Persistence;

/// <summary>
/// The embedded engine: one LiteDB file (innernet's SQLite <c>&lt;iface&gt;.db</c>) with its write-ahead log, locked
/// exclusively, each commit durable before it returns (<see cref="WriteAheadLogStream"/>). Collections, fields and
/// migrations are in <see cref="StoreSchema"/>; rows are mapped by the <c>*Document</c> classes.
/// </summary>
/// <remarks>
/// LiteDB binds a transaction to the thread that began it: the store runs every transaction, and the close, on its
/// writer thread.
/// </remarks>
internal sealed class LiteDbStoreEngine : StoreEngine
{
    private const string StreamSource = "(stream)";

    /// <summary>Log size (in LiteDB pages) at which an idle writer checkpoints (see <see cref="Idle"/>).</summary>
    private const int IdleCheckpointPages = 200;

    /// <summary>The page cache's block sizes in pages (LiteDB's default: 12, 50, 100, 500, 1,000; the last one repeats).</summary>
    internal static readonly int[] PageCacheSegments = [12, 50, 100];

    /// <summary>Databases of stores stopped by a commit LiteDB could not roll back (see <see cref="Close"/>).</summary>
    private static readonly ConcurrentBag<LiteDatabase> StuckDatabases = [];

    private readonly LiteDatabase _db;
    private readonly DatabaseFiles? _files;

    /// <summary>The write-ahead log's file (null: LiteDB keeps it in memory); its length tells when to checkpoint.</summary>
    private readonly Stream? _log;
    private readonly ILiteCollection<BsonDocument> _cidrs;
    private readonly ILiteCollection<BsonDocument> _peers;
    private readonly ILiteCollection<BsonDocument> _associations;
    private bool _closed;

    private LiteDbStoreEngine(LiteDatabase db, DatabaseFiles? files, Stream? log, string source)
    {
        _db = db;
        _files = files;
        _log = log;
        Source = source;
        _cidrs = db.GetCollection(StoreSchema.Cidrs, BsonAutoId.Int64);
        _peers = db.GetCollection(StoreSchema.Peers, BsonAutoId.Int64);
        _associations = db.GetCollection(StoreSchema.Associations, BsonAutoId.Int64);
    }

    /// <summary>The database file's path, or "(stream)".</summary>
    public override string Source { get; }

    /// <summary>When the file was found readable by others, its previous mode (it is now 0600); otherwise null.</summary>
    public UnixFileMode? TightenedFrom => _files?.TightenedFrom;

    /// <summary>A new database file (mode 0600) and its log; on failure no file is left.</summary>
    /// <exception cref="StoreException">The file exists or cannot be created.</exception>
    public static LiteDbStoreEngine CreateFile(string path)
    {
        var files = DatabaseFiles.CreateNew(path);
        try
        {
            return new LiteDbStoreEngine(OpenLiteDatabase(files.Data, files.Log, path, create: true), files, files.Log, path);
        }
        catch
        {
            files.Dispose();
            DeleteFiles(path);
            throw;
        }
    }

    /// <summary>A new database in <paramref name="data"/> (and <paramref name="log"/>; null keeps the log in memory), both empty.</summary>
    /// <exception cref="StoreException">A stream is not empty.</exception>
    public static LiteDbStoreEngine CreateStream(Stream data, Stream? log)
    {
        if (data.Length != 0 || log?.Length > 0)
        {
            throw new StoreException("Cannot create a database in a stream that is not empty.");
        }

        return new LiteDbStoreEngine(OpenLiteDatabase(data, log, StreamSource, create: true), null, log, StreamSource);
    }

    /// <summary>Opens an existing database file exclusively, tightening it to 0600 if needed.</summary>
    /// <exception cref="StoreException">Missing, in use or not a LiteDB file.</exception>
    public static LiteDbStoreEngine OpenFile(string path)
    {
        var files = DatabaseFiles.OpenExisting(path);
        try
        {
            return new LiteDbStoreEngine(OpenLiteDatabase(files.Data, files.Log, path, create: false), files, files.Log, path);
        }
        catch
        {
            files.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens an existing database file for reading only (<see cref="DatabaseFiles.OpenReadOnly"/>): a shared lock, nothing
    /// written, the log's committed transactions read but not checkpointed. Only the read members may be used.
    /// </summary>
    /// <exception cref="StoreException">Missing, in use by a writer or not a LiteDB file.</exception>
    public static LiteDbStoreEngine OpenFileReadOnly(string path)
    {
        var files = DatabaseFiles.OpenReadOnly(path);
        try
        {
            return new LiteDbStoreEngine(OpenLiteDatabase(files.Data, files.Log, path, create: false, readOnly: true), files, null, path);
        }
        catch
        {
            files.Dispose();
            throw;
        }
    }

    /// <summary>Opens a database in <paramref name="data"/> whose write-ahead log is <paramref name="log"/> (replayed if not
    /// empty).</summary>
    public static LiteDbStoreEngine OpenStream(Stream data, Stream? log)
    {
        DatabaseFiles.CheckLiteDbHeader(StreamSource, data);
        return new LiteDbStoreEngine(OpenLiteDatabase(data, log, StreamSource, create: false), null, log, StreamSource);
    }

    protected internal override void CreateSchema() => StoreSchema.Initialize(_db);

    protected internal override void MigrateAndCheck() => StoreSchema.MigrateAndCheck(_db, Source);

    /// <summary>What a reader checks: a schema this build reads as it is (<see cref="StoreSchema.CheckReadable"/>).</summary>
    public void CheckReadable() => StoreSchema.CheckReadable(_db, Source);

    protected internal override StoredRows ReadRows()
    {
        var sequences = StoreSchema.ReadSequences(_db, Source);
        return new StoredRows(ReadCidrs(), ReadPeers(), ReadAssociations(), sequences, ReadReservedIps());
    }

    /// <summary>Every CIDR row (any order, as <see cref="StoredRows"/>).</summary>
    public List<Cidr> ReadCidrs()
    {
        var cidrs = new List<Cidr>();
        foreach (var document in _cidrs.FindAll())
        {
            cidrs.Add(CidrDocument.ToModel(document));
        }

        return cidrs;
    }

    /// <summary>Every peer row (any order).</summary>
    public List<Peer> ReadPeers()
    {
        var peers = new List<Peer>();
        foreach (var document in _peers.FindAll())
        {
            peers.Add(PeerDocument.ToModel(document));
        }

        return peers;
    }

    /// <summary>Every association row (any order).</summary>
    public List<Association> ReadAssociations() => [.. _associations.FindAll().Select(AssociationDocument.ToModel)];

    /// <summary>The reserved IPs (any order).</summary>
    public IReadOnlyList<ReservedIp> ReadReservedIps() => StoreSchema.ReadReservedIps(_db);

    protected internal override void BeginTransaction()
    {
        if (!_db.BeginTrans())
        {
            throw new InvalidOperationException("Internal error: a database transaction is already open on this thread.");
        }
    }

    protected internal override void CommitTransaction() => _db.Commit();

    /// <summary>
    /// False when LiteDB cannot roll back: a commit that failed after it began writing the log leaves its pages read-only
    /// and the transaction open on this thread, holding its locks.
    /// </summary>
    protected internal override bool TryRollback()
    {
        try
        {
            _db.Rollback();
            return true;
        }
        catch (Exception e) when (e is LiteException or IOException or ObjectDisposedException)
        {
            return false;
        }
    }

    protected internal override void InsertCidr(Cidr cidr) => _cidrs.Insert(CidrDocument.ToBson(cidr));

    protected internal override void UpdateCidr(Cidr cidr) => _cidrs.Update(CidrDocument.ToBson(cidr));

    protected internal override void DeleteCidr(long id) => _cidrs.Delete(id);

    protected internal override void InsertPeer(Peer peer) => _peers.Insert(PeerDocument.ToBson(peer));

    protected internal override void UpdatePeer(Peer peer) => _peers.Update(PeerDocument.ToBson(peer));

    protected internal override void DeletePeer(long id) => _peers.Delete(id);

    protected internal override void InsertAssociation(Association association)
        => _associations.Insert(AssociationDocument.ToBson(association));

    protected internal override void DeleteAssociation(long id) => _associations.Delete(id);

    protected internal override void WriteSequences(IdSequences sequences) => StoreSchema.WriteSequences(_db, sequences);

    protected internal override void WriteReservedIps(IReadOnlyCollection<ReservedIp> reserved)
        => StoreSchema.WriteReservedIps(_db, reserved);

    protected internal override long ReadLastAuditId()
    {
        var audit = _db.GetCollection(StoreSchema.Audit);
        return audit.Count() == 0 ? 0 : audit.Max("_id").AsInt64;
    }

    protected internal override void InsertAudit(AuditEntry entry) => _db.GetCollection(StoreSchema.Audit).Insert(new BsonDocument
    {
        ["_id"] = entry.Id,
        [StoreSchema.Fields.Time] = StoreMapper.Write(entry.Time),
        [StoreSchema.Fields.Actor] = entry.Actor,
        [StoreSchema.Fields.Source] = entry.Source,
        [StoreSchema.Fields.Action] = entry.Action,
        [StoreSchema.Fields.Status] = entry.Status,
    });

    protected internal override IReadOnlyList<AuditEntry> ReadAudit(DateTimeOffset? since)
    {
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

    /// <summary>
    /// Copies the log into the data file once it holds <see cref="IdleCheckpointPages"/> pages. LiteDB's own checkpoint
    /// runs inside the commit that takes the log past 1,000 pages (8 MiB): it rewrites every log page into the data file,
    /// syncs it and empties the log, tens of milliseconds inside one caller's write. Done here, after the callers were
    /// completed, five times as often, each is a fifth of that and on no request's path unless one arrives meanwhile.
    /// LiteDB's still applies under continuous load.
    /// </summary>
    protected internal override void Idle()
    {
        if (_log is null || _log.Length < IdleCheckpointPages * LiteDbLayout.PageSize)
        {
            return;
        }

        try
        {
            _db.Checkpoint();
        }
        catch (Exception e) when (e is LiteException or IOException)
        {
            // Nothing is lost: the log still holds every commit. A broken file fails the next write with its own error.
        }
    }

    protected internal override bool IsUniqueViolation(Exception e) => e is LiteException { ErrorCode: LiteException.INDEX_DUPLICATE_KEY };

    protected internal override StoreException? Wrap(Exception e, string what)
        => e is LiteException or IOException or UnauthorizedAccessException or InvalidCastException
            ? new StoreException($"{what}: {e.Message}", e)
            : null;

    protected internal override StoreException? WrapOpenFailure(Exception e, string what)
        => e is not InnernetException && IsUnreadableFile(e)
            ? new StoreException($"{what} (damaged, or not an innernet-server database): {e.Message}", e)
            : null;

    /// <summary>
    /// Whether <paramref name="e"/>, thrown while LiteDB opens or reads a file, means the file cannot be read. LiteDB
    /// decodes pages without checksums, so a damaged or foreign file fails not only with its own exception but with
    /// whatever the decoding runs into (an unknown type byte is a NotSupportedException, a bad length an index or
    /// argument error); none of them may escape as a raw LiteDB error.
    /// </summary>
    private static bool IsUnreadableFile(Exception e) => e is LiteException or IOException or UnauthorizedAccessException
        or InvalidCastException or NotSupportedException or ArgumentException or IndexOutOfRangeException or OverflowException
        or KeyNotFoundException or FormatException or InvalidOperationException or NullReferenceException;

    protected internal override void Close(bool abandon)
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        if (abandon)
        {
            // The half-failed transaction must never be finalized (its finalizer throws, which ends the process), so
            // its engine, which holds it, is kept for the life of the process instead of being closed. The log is
            // replayed at the next open, as after a crash.
            StuckDatabases.Add(_db);
            _files?.Dispose();
            return;
        }

        try
        {
            _db.Dispose();
        }
        catch (Exception e) when (e is LiteException or IOException)
        {
            // The final checkpoint failed (or the open did). Every commit is already in the write-ahead log, which stays
            // on disk and is replayed at the next open; closing must not throw.
        }
        finally
        {
            _files?.Dispose();
        }
    }

    /// <summary>The TODO innernet has: do not leave a half-made database behind.</summary>
    protected internal override void DiscardCreated()
    {
        if (_files is not null)
        {
            DeleteFiles(Source);
        }
    }

    /// <summary>
    /// Bounds LiteDB's page cache at about <see cref="PageCacheSegments"/>' sum of pages (1.3 MiB) plus the pages in use.
    /// LiteDB 5.0 caches every page it reads and takes memory for more in blocks of 12, 50, 100, 500 and then 1,000 pages,
    /// reusing the least recently used idle pages instead only when more of them are idle than the next block would hold,
    /// and frees nothing before the engine is closed: the open's read of every row left about 13 MiB (1,662 pages) in
    /// the cache of a long-running server at 10,000 peers, although the snapshot serves every read after it. With blocks
    /// of at most 100 pages, idle pages are reused as soon as more than 100 are idle. The sizes are an internal static
    /// of LiteDB (read when an engine is created), set here for every engine of the process; no public setting exists.
    /// </summary>
    private static void BoundPageCache()
    {
        try
        {
            LiteDbMemorySegmentSizes(null) = PageCacheSegments;
        }
        catch (Exception e) when (e is MissingFieldException or TypeLoadException)
        {
            // Another LiteDB without the field: its own cache sizes apply (more memory, nothing wrong). A test pins the field.
        }
    }

    /// <summary>LiteDB's <c>Constants.MEMORY_SEGMENT_SIZES</c>.</summary>
    [UnsafeAccessor(UnsafeAccessorKind.StaticField, Name = "MEMORY_SEGMENT_SIZES")]
    internal static extern ref int[] LiteDbMemorySegmentSizes([UnsafeAccessorType("LiteDB.Constants, LiteDB")] object? constants);

    private static void DeleteFiles(string path)
    {
        File.Delete(path);
        File.Delete(DatabaseFiles.LogPathFor(path));
    }

    // For a new database (create) the collation is binary (ordinal), so names and base64 keys compare
    // case-sensitively like SQLite's TEXT; an existing file keeps its own (LiteDB refuses a mismatch).
    // A writer's log stream is wrapped so that each LiteDB commit is on disk before it returns (see WriteAheadLogStream);
    // a reader's is read as it is (without a log file LiteDB keeps an empty one in memory).
    private static LiteDatabase OpenLiteDatabase(Stream data, Stream? log, string source, bool create, bool readOnly = false)
    {
        BoundPageCache();
        try
        {
            var engine = new LiteEngine(new EngineSettings
            {
                DataStream = data,
                LogStream = log is null || readOnly ? log : new WriteAheadLogStream(log),
                Collation = create ? Collation.Binary : null,
                ReadOnly = readOnly,
            });
            // Rows are mapped by hand (StoreMapper and the *Document classes); this mapper only passes BsonDocuments through.
            return new LiteDatabase(engine, new BsonMapper(), disposeOnClose: true);
        }
        catch (Exception e) when (IsUnreadableFile(e))
        {
            throw new StoreException($"Cannot open '{source}' as an innernet-server database: {e.Message}", e);
        }
    }
}
