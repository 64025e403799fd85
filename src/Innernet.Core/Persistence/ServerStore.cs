using System.IO;
using System.Net.Sockets;
using System.Threading;
using Innernet.Core.Cidrs;
using Innernet.Core.Model;
using Innernet.Core.Peers;
using LiteDB;
using LiteDB.Engine;

namespace Innernet.Core.Persistence;

/// <summary>
/// The coordination server's database (innernet's SQLite <c>&lt;iface&gt;.db</c>) on one LiteDB file:
/// CIDRs, peers and associations with innernet's ids, invariants and validation.
/// </summary>
/// <remarks>
/// <para><b>Concurrency.</b> Thread-safe. Writes are validated and committed one after another by the store's
/// writer thread, each against the state every write before it leaves, so check-then-insert is atomic and
/// uniqueness or one-time redemption cannot race; concurrent writers share one transaction and one durable
/// commit (group commit, see ServerStore.Writes.cs). After each commit the store publishes an immutable
/// snapshot of the whole database; readers take the current snapshot without locking and always see
/// committed state. The file is locked exclusively, so this process is its only writer and the snapshot
/// is exactly the committed content (it is read back from the file after any failed write).</para>
/// <para><b>Durability.</b> A write method returns only after its transaction is on stable storage (fsync of
/// the write-ahead log, and of the directory when a file was created), so whatever a caller acknowledges
/// survives a power cut; a crash at any moment leaves a database that opens with every returned write and
/// none half-applied. Readers never see a write before it is durable.</para>
/// <para><b>Errors.</b> Invalid input → <see cref="ValidationException"/>; unknown id →
/// <see cref="NotFoundException"/>; redeem refusals → <see cref="UnauthorizedException"/> or
/// <see cref="GoneException"/>; file-level problems → <see cref="StoreException"/>. LiteDB exceptions do
/// not escape.</para>
/// </remarks>
public sealed partial class ServerStore : IDisposable
{
    /// <summary>Most candidates a peer may report (innernet answers 413 beyond this).</summary>
    public const int MaxCandidates = 10;

    /// <summary>Name of CIDR 2 and of peer 1, fixed by innernet.</summary>
    public const string ServerName = "innernet-server";

    private const string StreamSource = "(stream)";
    private const int IPv4HostPrefix = 32;
    private const int IPv6HostPrefix = 128;

    /// <summary>The <see cref="Version"/> of the state read when the store is created or opened.</summary>
    private const long FirstVersion = 1;

    private readonly LiteDatabase _db;
    private readonly DatabaseFiles? _files;

    /// <summary>The write-ahead log's file (null: LiteDB keeps it in memory); its length tells when to checkpoint.</summary>
    private readonly Stream? _log;
    private readonly ILiteCollection<BsonDocument> _cidrs;
    private readonly ILiteCollection<BsonDocument> _peers;
    private readonly ILiteCollection<BsonDocument> _associations;
    private readonly Lock _disposeLock = new();
    private StoreSnapshot _snapshot;
    private volatile bool _disposed;

    private ServerStore(LiteDatabase db, DatabaseFiles? files, Stream? log, string source)
    {
        _db = db;
        _files = files;
        _log = log;
        Source = source;
        _cidrs = db.GetCollection(StoreSchema.Cidrs, BsonAutoId.Int64);
        _peers = db.GetCollection(StoreSchema.Peers, BsonAutoId.Int64);
        _associations = db.GetCollection(StoreSchema.Associations, BsonAutoId.Int64);
        _snapshot = null!; // set by Populate or Load before the store is handed out
    }

    /// <summary>The database file's path, or "(stream)".</summary>
    public string Source { get; }

    /// <summary>
    /// When <see cref="Open(string)"/> found the file readable by others, its previous mode (it is now 0600);
    /// otherwise null. Worth a warning to the operator.
    /// </summary>
    public UnixFileMode? FileModeTightenedFrom => _files?.TightenedFrom;

    private StoreSnapshot Current
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return Volatile.Read(ref _snapshot);
        }
    }

    /// <summary>
    /// Creates a new database file (mode 0600) holding innernet's fixed rows: CIDR 1 = the root named after
    /// the network, CIDR 2 = <c>innernet-server</c> (the server IP as a host range), peer 1 = the server.
    /// </summary>
    /// <exception cref="ValidationException">The network description is invalid.</exception>
    /// <exception cref="StoreException">The file exists or cannot be created.</exception>
    public static ServerStore Create(string path, NewNetwork network)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var rows = InitialRows(network);
        return CreateWith(path, store => store.Populate(rows));
    }

    /// <summary>Creates a new database file (mode 0600) and fills it with <paramref name="populate"/>; on any failure no file is left.</summary>
    private static ServerStore CreateWith(string path, Action<ServerStore> populate)
    {
        var files = DatabaseFiles.CreateNew(path);
        ServerStore? store = null;
        try
        {
            store = new ServerStore(OpenLiteDatabase(files.Data, files.Log, path, create: true), files, files.Log, path);
            populate(store);
            return store;
        }
        catch (Exception e)
        {
            if (store is not null)
            {
                store.Dispose();
            }
            else
            {
                files.Dispose();
            }

            // The TODO innernet has: do not leave a half-made database behind.
            File.Delete(path);
            File.Delete(DatabaseFiles.LogPathFor(path));
            if (Wrap(e, $"Cannot create the database '{path}'") is { } wrapped)
            {
                throw wrapped;
            }

            throw;
        }
    }

    /// <summary>Creates a new database in <paramref name="stream"/> (must be empty; e.g. a <see cref="MemoryStream"/> for tests).
    /// The write-ahead log stays in memory and the caller keeps ownership of the stream.</summary>
    /// <exception cref="ValidationException">The network description is invalid.</exception>
    /// <exception cref="StoreException">The stream is not empty.</exception>
    public static ServerStore Create(Stream stream, NewNetwork network) => Create(stream, null, network);

    /// <summary>
    /// Creates a new database in <paramref name="data"/> with its write-ahead log in <paramref name="log"/> (both
    /// empty; null keeps the log in memory). <see cref="Stream.Flush()"/> of each stream must make what was
    /// written durable: every commit flushes the log before it returns.
    /// </summary>
    internal static ServerStore Create(Stream data, Stream? log, NewNetwork network)
    {
        ArgumentNullException.ThrowIfNull(data);
        var rows = InitialRows(network);
        if (data.Length != 0 || log?.Length > 0)
        {
            throw new StoreException("Cannot create a database in a stream that is not empty.");
        }

        var store = new ServerStore(OpenLiteDatabase(data, log, StreamSource, create: true), null, log, StreamSource);
        try
        {
            store.Populate(rows);
            return store;
        }
        catch (Exception e)
        {
            store.Dispose();
            if (Wrap(e, "Cannot create the database") is { } wrapped)
            {
                throw wrapped;
            }

            throw;
        }
    }

    /// <summary>Opens an existing database file exclusively, tightening it to 0600 if needed and migrating an older schema.</summary>
    /// <exception cref="StoreException">Missing, in use, not an innernet-server database, damaged, or too new.</exception>
    public static ServerStore Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var files = DatabaseFiles.OpenExisting(path);
        try
        {
            return Load(OpenLiteDatabase(files.Data, files.Log, path, create: false), files, files.Log, path);
        }
        catch
        {
            files.Dispose();
            throw;
        }
    }

    /// <summary>Opens a database held in <paramref name="stream"/> (the caller keeps ownership of the stream).</summary>
    /// <exception cref="StoreException">Not an innernet-server database, damaged, or too new.</exception>
    public static ServerStore Open(Stream stream) => Open(stream, null);

    /// <summary>Opens a database held in <paramref name="data"/> whose write-ahead log is <paramref name="log"/> (replayed if not empty).</summary>
    internal static ServerStore Open(Stream data, Stream? log)
    {
        ArgumentNullException.ThrowIfNull(data);
        DatabaseFiles.CheckLiteDbHeader(StreamSource, data);
        return Load(OpenLiteDatabase(data, log, StreamSource, create: false), null, log, StreamSource);
    }

    /// <summary>
    /// Lets the writes already queued finish, checkpoints the log into the database file and releases the file. Writes
    /// called afterwards throw <see cref="ObjectDisposedException"/>.
    /// </summary>
    public void Dispose()
    {
        lock (_disposeLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (_writer is null)
            {
                CloseDatabase();
            }
            else
            {
                // The writer commits what is queued, then closes the database itself (see WriterLoop).
                _queued.CompleteAdding();
                _writer.Join();
            }

            _queued.Dispose();
        }
    }

    private void CloseDatabase()
    {
        if (_stoppedBy is not null)
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
            // The final checkpoint failed. Every commit is already in the write-ahead log, which stays on
            // disk and is replayed at the next open; Dispose must not throw.
        }
        finally
        {
            _files?.Dispose();
        }
    }

    // For a new database (create) the collation is binary (ordinal), so names and base64 keys compare
    // case-sensitively like SQLite's TEXT; an existing file keeps its own (LiteDB refuses a mismatch).
    // A log stream is wrapped so that each LiteDB commit is on disk before it returns (see WriteAheadLogStream).
    private static LiteDatabase OpenLiteDatabase(Stream data, Stream? log, string source, bool create)
    {
        try
        {
            var engine = new LiteEngine(new EngineSettings
            {
                DataStream = data,
                LogStream = log is null ? null : new WriteAheadLogStream(log),
                Collation = create ? Collation.Binary : null,
            });
            // Rows are mapped by hand (StoreMapper and the *Document classes); this mapper only passes BsonDocuments through.
            return new LiteDatabase(engine, new BsonMapper(), disposeOnClose: true);
        }
        catch (Exception e) when (IsUnreadableFile(e))
        {
            throw new StoreException($"Cannot open '{source}' as an innernet-server database: {e.Message}", e);
        }
    }

    private static ServerStore Load(LiteDatabase db, DatabaseFiles? files, Stream? log, string source)
    {
        var store = new ServerStore(db, files, log, source);
        try
        {
            StoreSchema.MigrateAndCheck(db, source);
            store._snapshot = store.ReadSnapshot(FirstVersion);
            store.StartWriter();
            return store;
        }
        catch (Exception e)
        {
            try
            {
                db.Dispose();
            }
            catch (Exception disposeError) when (disposeError is LiteException or IOException)
            {
                // The open already failed; report that failure.
            }

            if (e is not InnernetException && IsUnreadableFile(e))
            {
                throw new StoreException($"Cannot read the database '{source}' (damaged, or not an innernet-server database): {e.Message}", e);
            }

            throw;
        }
    }

    private StoreSnapshot ReadSnapshot(long version)
    {
        var sequences = StoreSchema.ReadSequences(_db, Source);
        try
        {
            return StoreSnapshot.Load(
                _cidrs.FindAll().Select(CidrDocument.ToModel),
                _peers.FindAll().Select(PeerDocument.ToModel),
                _associations.FindAll().Select(AssociationDocument.ToModel),
                sequences,
                StoreSchema.ReadReservedIps(_db),
                version);
        }
        catch (ArgumentException e)
        {
            // Duplicate keys in a lookup: the unique indexes were bypassed.
            throw new StoreException($"The database '{Source}' is damaged: {e.Message}", e);
        }
    }

    private static (Cidr Root, Cidr Infra, Peer Server) InitialRows(NewNetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        NetworkName.Validate(network.Name);
        if (network.ServerIp is null)
        {
            throw new ValidationException("The server IP is missing.");
        }

        if (network.ExternalEndpoint is null)
        {
            throw new ValidationException("The server's external endpoint is missing.");
        }

        int hostPrefix = network.ServerIp.AddressFamily == AddressFamily.InterNetworkV6 ? IPv6HostPrefix : IPv4HostPrefix;
        var root = new Cidr(Cidr.RootId, network.Name, network.Root, null);
        var infra = new Cidr(Cidr.InfraId, ServerName, new IPNetwork(network.ServerIp, hostPrefix), Cidr.RootId);
        var server = new Peer
        {
            Id = Peer.ServerId,
            Name = ServerName,
            Ip = network.ServerIp,
            CidrId = Cidr.InfraId,
            PublicKey = network.ServerPublicKey,
            Endpoint = network.ExternalEndpoint,
            IsAdmin = true,
            IsDisabled = false,
            IsRedeemed = true,
            InviteExpires = null,
            Candidates = [],
        };

        ValidateInitialRows(root, infra, server);
        return (root, infra, server);
    }

    private static void ValidateInitialRows(Cidr root, Cidr infra, Peer server)
    {
        if (!root.Network.Contains(server.Ip) || server.Ip.AddressFamily != root.Network.BaseAddress.AddressFamily)
        {
            throw new ValidationException($"The server IP {server.Ip} is not inside the network's root CIDR {root.Network}.");
        }

        if (!Assignable.IsAssignable(server.Ip, root.Network))
        {
            throw new ValidationException(
                $"The server IP {server.Ip} cannot be assigned: it is the network or broadcast address of the root CIDR {root.Network}.");
        }

        CheckKey(server.PublicKey);
        CidrRules.ValidateCreate([], [], root.Contents);
        CidrRules.ValidateCreate([root], [], infra.Contents);
        PeerRules.ValidateCreate([root, infra], [], server.Contents);
    }

    /// <summary>Writes the initial rows, on the creating thread, before the store is shared.</summary>
    private void Populate((Cidr Root, Cidr Infra, Peer Server) rows)
    {
        CommitTransaction(() =>
        {
            StoreSchema.Initialize(_db);
            _cidrs.Insert(CidrDocument.ToBson(rows.Root));
            _cidrs.Insert(CidrDocument.ToBson(rows.Infra));
            _peers.Insert(PeerDocument.ToBson(rows.Server));
            StoreSchema.WriteSequences(_db, new IdSequences(Cidr.InfraId, Peer.ServerId, 0));
        });
        _snapshot = ReadSnapshot(FirstVersion);
        StartWriter();
    }

    /// <summary>
    /// Rolls the open transaction back and re-reads the snapshot from the file. False when LiteDB cannot roll
    /// back: a commit that failed after it began writing the log leaves its pages read-only and the transaction
    /// open on this thread, holding its locks.
    /// </summary>
    private bool RollbackAndResync()
    {
        try
        {
            _db.Rollback();
        }
        catch (Exception e) when (e is LiteException or IOException or ObjectDisposedException)
        {
            return false;
        }

        try
        {
            if (_snapshot is not null)
            {
                _snapshot = ReadSnapshot(_snapshot.Version + 1);
            }
        }
        catch (Exception e) when (e is LiteException or IOException or InnernetException)
        {
            // Keep the original error; a broken file fails the next operation with its own message.
        }

        return true;
    }

    /// <summary>The Innernet exception for a LiteDB or I/O failure; null for errors that pass through unchanged.</summary>
    private Exception? Translate(Exception e) => e switch
    {
        InnernetException => null,
        LiteException { ErrorCode: LiteException.INDEX_DUPLICATE_KEY } duplicate => new ValidationException(
            $"A value that must be unique is already taken: {duplicate.Message}", duplicate),
        _ => Wrap(e, $"Database write to '{Source}' failed"),
    };

    /// <summary>
    /// Whether <paramref name="e"/>, thrown while LiteDB opens or reads a file, means the file cannot be read. LiteDB
    /// decodes pages without checksums, so a damaged or foreign file fails not only with its own exception but with
    /// whatever the decoding runs into (an unknown type byte is a NotSupportedException, a bad length an index or
    /// argument error); none of them may escape as a raw LiteDB error.
    /// </summary>
    private static bool IsUnreadableFile(Exception e) => e is LiteException or IOException or UnauthorizedAccessException
        or InvalidCastException or NotSupportedException or ArgumentException or IndexOutOfRangeException or OverflowException
        or KeyNotFoundException or FormatException or InvalidOperationException or NullReferenceException;

    /// <summary>A <see cref="StoreException"/> for LiteDB and I/O failures; null for anything else (a bug: let it through).</summary>
    private static StoreException? Wrap(Exception e, string what)
        => e is LiteException or IOException or UnauthorizedAccessException or InvalidCastException
            ? new StoreException($"{what}: {e.Message}", e)
            : null;
}
