using Innernet.Core.Persistence;
using Innernet.Server.PostgreSql;
using Innernet.Testing;
using Microsoft.Extensions.Logging;

namespace Innernet.Core.Tests.Persistence;

/// <summary>
/// Several stores on one new schema of a test cluster, each with its own replica engine (its own connections, as separate
/// servers have): the first creates the network, the others open it.
/// </summary>
internal sealed class ReplicaSet : IDisposable
{
    private readonly List<ServerStore> _stores = [];
    private readonly List<PostgreSqlStoreEngine> _engines = [];

    private ReplicaSet(string connection) => Connection = connection;

    /// <summary>The Npgsql connection string (its search path is <see cref="Schema"/>).</summary>
    public string Connection { get; }

    public string Schema => Connection[(Connection.LastIndexOf('=') + 1)..];

    public int Count => _stores.Count;

    public ServerStore this[int index] => _stores[index];

    /// <summary>
    /// <paramref name="count"/> replicas of a new network; each looks for others' commits every <paramref name="checkInterval"/>
    /// besides its notifications (default: never, so only notifications tell it).
    /// </summary>
    /// <param name="loggers">Where the replicas' listeners log (none when null).</param>
    public static ReplicaSet Start(PostgreSqlCluster cluster, int count, TimeSpan? checkInterval = null, ILoggerFactory? loggers = null)
    {
        cluster.Require();
        var set = new ReplicaSet(cluster.NewSchema());
        var interval = checkInterval ?? Timeout.InfiniteTimeSpan;
        try
        {
            for (int i = 0; i < count; i++)
            {
                var engine = PostgreSqlStoreEngine.Connect(set.Connection, replica: true, interval, loggers);
                set._engines.Add(engine);
                set._stores.Add(i == 0 ? ServerStore.Create(engine, StoreTestSupport.Network) : ServerStore.Open(engine));
            }

            return set;
        }
        catch
        {
            set.Dispose();
            throw;
        }
    }

    /// <summary>The change listener connections replica <paramref name="index"/> has made so far.</summary>
    public long ListenerConnections(int index) => _engines[index].ListenerConnections;

    /// <summary>How often replica <paramref name="index"/> has read every peer (not only the changed ones).</summary>
    public long FullPeerReads(int index) => _engines[index].FullPeerReads;

    /// <summary>Waits until every replica's listener holds its LISTEN (a commit from then on reaches it by notification).</summary>
    public Task ListeningAsync()
        => Eventually.TrueAsync(() => _engines.All(e => e.ListenerConnections > 0), "every replica's listener to connect");

    public void Dispose()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }
    }
}
