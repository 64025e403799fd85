using System.IO;
using System.Threading;
using Innernet.Core.Cidrs;
using Innernet.Core.Model;
using Innernet.Core.Peers;
using Innernet.Core.Sync;

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
/// is exactly the committed content (it is read back from the file after any failed write). On a PostgreSQL database
/// shared by replicas, each commit locks the database's state first and the writes are planned again on the newest
/// state when another replica committed meanwhile; other replicas' commits are read and published as new versions
/// (ServerStore.Replicas.cs).</para>
/// <para><b>Durability.</b> A write method returns only after its transaction is on stable storage (fsync of
/// the write-ahead log, and of the directory when a file was created), so whatever a caller acknowledges
/// survives a power cut; a crash at any moment leaves a database that opens with every returned write and
/// none half-applied. Readers never see a write before it is durable.</para>
/// <para><b>Errors.</b> Invalid input → <see cref="ValidationException"/>; unknown id →
/// <see cref="NotFoundException"/>; redeem refusals → <see cref="UnauthorizedException"/> or
/// <see cref="GoneException"/>; file-level problems → <see cref="StoreException"/>. LiteDB exceptions do
/// not escape.</para>
/// </remarks>
public sealed partial class ServerStore : IServerStoreReader
{
    /// <summary>Name of CIDR 2 and of peer 1, fixed by innernet.</summary>
    public const string ServerName = "innernet-server";

    /// <summary>The <see cref="Version"/> of the state read when the store is created or opened.</summary>
    private const long FirstVersion = 1;

    private readonly StoreEngine _engine;
    private readonly Lock _disposeLock = new();
    private StoreSnapshot _snapshot;
    private volatile bool _disposed;

    private ServerStore(StoreEngine engine)
    {
        _engine = engine;
        _metrics = new StoreMetrics(engine);
        _snapshot = null!; // set by Populate or Load before the store is handed out
    }

    /// <summary>The database file's path, "(stream)", or the PostgreSQL database.</summary>
    public string Source => _engine.Source;

    /// <summary>
    /// When <see cref="Open(string)"/> found the file readable by others, its previous mode (it is now 0600);
    /// otherwise null. Worth a warning to the operator.
    /// </summary>
    public UnixFileMode? FileModeTightenedFrom => (_engine as LiteDbStoreEngine)?.TightenedFrom;

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
        return CreateOn(LiteDbStoreEngine.CreateFile(path), store => store.Populate(rows));
    }

    /// <summary>
    /// Creates a new network in <paramref name="engine"/> (an empty database; the store takes the engine over, also when
    /// this fails) holding innernet's fixed rows, as <see cref="Create(string, NewNetwork)"/> does.
    /// </summary>
    /// <exception cref="ValidationException">The network description is invalid.</exception>
    /// <exception cref="StoreException">The database is not empty or cannot be written.</exception>
    public static ServerStore Create(StoreEngine engine, NewNetwork network)
    {
        ArgumentNullException.ThrowIfNull(engine);
        (Cidr Root, Cidr Infra, Peer Server) rows;
        try
        {
            rows = InitialRows(network);
        }
        catch
        {
            engine.Dispose();
            throw;
        }

        return CreateOn(engine, store => store.Populate(rows));
    }

    /// <summary>
    /// A store over the new database of <paramref name="engine"/>, filled by <paramref name="populate"/>; on any failure nothing
    /// is left.
    /// </summary>
    private static ServerStore CreateOn(StoreEngine engine, Action<ServerStore> populate)
    {
        var store = new ServerStore(engine);
        try
        {
            populate(store);
            return store;
        }
        catch (Exception e)
        {
            store.Dispose();
            engine.DiscardCreated();
            if (engine.Wrap(e, $"Cannot create the database '{engine.Source}'") is { } wrapped)
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
        return CreateOn(LiteDbStoreEngine.CreateStream(data, log), store => store.Populate(rows));
    }

    /// <summary>Opens an existing database file exclusively, tightening it to 0600 if needed and migrating an older schema.</summary>
    /// <exception cref="StoreException">Missing, in use, not an innernet-server database, damaged, or too new.</exception>
    public static ServerStore Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Open(LiteDbStoreEngine.OpenFile(path));
    }

    /// <summary>Opens a database held in <paramref name="stream"/> (the caller keeps ownership of the stream).</summary>
    /// <exception cref="StoreException">Not an innernet-server database, damaged, or too new.</exception>
    public static ServerStore Open(Stream stream) => Open(stream, null);

    /// <summary>Opens a database held in <paramref name="data"/> whose write-ahead log is <paramref name="log"/> (replayed if not
    /// empty).</summary>
    internal static ServerStore Open(Stream data, Stream? log)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Open(LiteDbStoreEngine.OpenStream(data, log));
    }

    /// <summary>
    /// Opens the network in <paramref name="engine"/> (the store takes the engine over, also when this fails), migrating an
    /// older schema.
    /// </summary>
    /// <exception cref="StoreException">Not an innernet-server database, damaged, or too new.</exception>
    public static ServerStore Open(StoreEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        var store = new ServerStore(engine);
        try
        {
            engine.MigrateAndCheck();
            store._snapshot = store.ReadSnapshot(FirstVersion);
            store.StartWriter();
            return store;
        }
        catch (Exception e)
        {
            // The open already failed; closing reports nothing more.
            engine.Dispose();
            store._metrics.Dispose();
            if (engine.WrapOpenFailure(e, $"Cannot read the database '{engine.Source}'") is { } wrapped)
            {
                throw wrapped;
            }

            throw;
        }
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
            _refreshSignal.Dispose();
            _metrics.Dispose();
        }
    }

    /// <summary>Closes the engine; after a commit that could not be rolled back its transaction is abandoned, never finalized.</summary>
    private void CloseDatabase() => _engine.Close(abandon: _stoppedBy is not null);

    /// <summary>
    /// Reads the whole state from the engine as version <paramref name="version"/>; rows equal to those of
    /// <paramref name="sharingWith"/> keep its objects (see <see cref="StoreSnapshot.Load"/>).
    /// </summary>
    private StoreSnapshot ReadSnapshot(long version, StoreSnapshot? sharingWith = null)
    {
        var rows = _engine.ReadRows();
        try
        {
            return StoreSnapshot.Load(rows.Cidrs, rows.Peers, rows.Associations, rows.Sequences, rows.ReservedIps, version, sharingWith);
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

        var root = new Cidr(Cidr.RootId, network.Name, network.Root, null);
        var infra = new Cidr(Cidr.InfraId, ServerName, PeerDiff.HostNetwork(network.ServerIp), Cidr.RootId);
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
            _engine.CreateSchema();
            _engine.InsertCidr(rows.Root);
            _engine.InsertCidr(rows.Infra);
            _engine.InsertPeer(rows.Server);
            _engine.WriteSequences(new IdSequences(Cidr.InfraId, Peer.ServerId, 0));
        });
        _snapshot = ReadSnapshot(FirstVersion);
        StartWriter();
    }

    /// <summary>
    /// Rolls the open transaction back and re-reads the snapshot from the database. False when the engine cannot roll
    /// back (LiteDB: a commit that failed after it began writing the log leaves its pages read-only and the transaction
    /// open on this thread, holding its locks).
    /// </summary>
    private bool RollbackAndResync()
    {
        if (!_engine.TryRollback())
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
        catch (Exception e) when (e is InnernetException || _engine.Wrap(e, Source) is not null)
        {
            // Keep the original error; a broken file fails the next operation with its own message.
        }

        return true;
    }

    /// <summary>The Innernet exception for an engine or I/O failure; null for errors that pass through unchanged.</summary>
    private Exception? Translate(Exception e) => e switch
    {
        InnernetException => null,
        _ when _engine.IsUniqueViolation(e) => new ValidationException($"A value that must be unique is already taken: {e.Message}", e),
        _ => _engine.Wrap(e, $"Database write to '{Source}' failed"),
    };
}
