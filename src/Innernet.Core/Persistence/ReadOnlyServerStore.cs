using Innernet.Core.Model;

namespace Innernet.Core.Persistence;

/// <summary>
/// A network's LiteDB file opened only to read it, for the verbs that list (the server stopped): what a read needs and
/// nothing more. The file and its write-ahead log are opened read-only under a shared lock (a writer cannot open the
/// database meanwhile, nor this while a writer has it); the log's committed transactions are read, as every open reads
/// them, but never checkpointed; no writer thread, no unique-index check, no snapshot of the whole database: each list
/// reads its own collection on first use. Nothing in either file changes (only a mode laxer than 0600 is tightened, as
/// by every open), and no log file is created or removed.
/// </summary>
/// <remarks>Not thread-safe. Errors are <see cref="StoreException"/>s; LiteDB exceptions do not escape.</remarks>
public sealed class ReadOnlyServerStore : IServerStoreReader
{
    private readonly LiteDbStoreEngine _engine;
    private IReadOnlyList<Cidr>? _cidrs;
    private IReadOnlyList<Peer>? _peers;
    private IReadOnlyList<Association>? _associations;
    private IReadOnlyList<ReservedIp>? _reservedIps;
    private bool _disposed;

    private ReadOnlyServerStore(LiteDbStoreEngine engine) => _engine = engine;

    /// <summary>The database file, for messages.</summary>
    public string Source => _engine.Source;

    /// <summary>When the file was found readable by others, its previous mode (it is now 0600); otherwise null.</summary>
    public UnixFileMode? FileModeTightenedFrom => _engine.TightenedFrom;

    /// <summary>Opens the database file at <paramref name="path"/> for reading.</summary>
    /// <exception cref="StoreException">
    /// Missing, in use by a writer, not an innernet-server database, damaged, too new, or of an older schema only a writer
    /// may migrate.
    /// </exception>
    public static ReadOnlyServerStore Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var engine = LiteDbStoreEngine.OpenFileReadOnly(path);
        try
        {
            engine.CheckReadable();
            return new ReadOnlyServerStore(engine);
        }
        catch (Exception e)
        {
            engine.Dispose();
            if (engine.WrapOpenFailure(e, $"Cannot read the database '{path}'") is { } wrapped)
            {
                throw wrapped;
            }

            throw;
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<Cidr> ListCidrs() => _cidrs ??= Read(() => ById(_engine.ReadCidrs(), static (a, b) => a.Id.CompareTo(b.Id)));

    /// <inheritdoc/>
    public IReadOnlyList<Peer> ListPeers() => _peers ??= Read(() => ById(_engine.ReadPeers(), static (a, b) => a.Id.CompareTo(b.Id)));

    /// <inheritdoc/>
    public IReadOnlyList<Association> ListAssociations() => _associations ??= Read(() => _engine.ReadAssociations().OrderBy(a => a.Id));

    /// <summary>The IPs of deleted peers that no new peer gets before their time, by peer id.</summary>
    public IReadOnlyList<ReservedIp> ListReservedIps() => _reservedIps ??= Read(() => _engine.ReadReservedIps().OrderBy(r => r.PeerId));

    /// <summary>The audit log from <paramref name="since"/> on (all when null), oldest first.</summary>
    public IReadOnlyList<AuditEntry> ListAudit(DateTimeOffset? since) => Read(() => _engine.ReadAudit(since));

    /// <summary>Releases the files; nothing is written.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _engine.Dispose();
        }
    }

    /// <summary>The rows sorted by their (unique) ids; LiteDB's primary key order already is, which is checked, not trusted.</summary>
    private static List<T> ById<T>(List<T> rows, Comparison<T> byId)
    {
        for (int i = 1; i < rows.Count; i++)
        {
            if (byId(rows[i - 1], rows[i]) > 0)
            {
                rows.Sort(byId);
                break;
            }
        }

        return rows;
    }

    private T[] Read<T>(Func<IEnumerable<T>> read)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        try
        {
            return [.. read()];
        }
        catch (Exception e) when (_engine.WrapOpenFailure(e, $"Cannot read the database '{Source}'") is { } wrapped)
        {
            throw wrapped;
        }
    }
}
