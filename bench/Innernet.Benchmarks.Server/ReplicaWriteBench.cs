using System.Collections.Concurrent;
using System.Security.Cryptography;
using Innernet.Core.Model;
using Innernet.Core.Persistence;
using Innernet.Netlink.WireGuard;
using Innernet.Server.PostgreSql;
using Innernet.Testing;

namespace Innernet.Benchmarks.Server;

/// <summary>
/// <c>replicas [peers] [writes] [writers] [counts]</c> (root: it starts a throw-away PostgreSQL cluster): admin writes
/// (<c>add-peer</c>: a new peer, its name, IP and key checked unique) on each store setup, all in this process:
/// <list type="bullet">
/// <item>commit latency: one writer, one write after the other (the time until the write is acknowledged, that is
/// durable), on LiteDB and on PostgreSQL;</item>
/// <item>throughput: <c>writers</c> concurrent writers spread round-robin over 1 or 3 replicas of one PostgreSQL;</item>
/// <item>propagation: at a steady 50 writes a second through each replica in turn, from a write's acknowledgement on its
/// replica until every other replica has published it (what its live streams and WireGuard then apply), through the
/// notification, generation check and re-read of the changed peers.</item>
/// </list>
/// The replicas share this machine's two cores with PostgreSQL, so only the ratios between rows mean something.
/// </summary>
internal static class ReplicaWriteBench
{
    private const int DefaultPeers = 1_000;
    private const int DefaultWrites = 400;
    private const int DefaultWriters = 16;
    private const int SequentialWrites = 150;
    private const int WarmUp = 20;
    private const int PacedWrites = 200;

    /// <summary>The pace of the propagation phase: 50 writes a second.</summary>
    private static readonly TimeSpan PacedInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>Where the benchmark's new peers go: a CIDR of their own under the populated network's root.</summary>
    private static readonly IPNetwork WritesCidr = IPNetwork.Parse("10.77.128.0/17");

    public static async Task<int> RunAsync(string[] args)
    {
        int peers = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : DefaultPeers;
        int writes = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : DefaultWrites;
        int writers = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : DefaultWriters;
        int[] counts = args.Length > 3 ? [.. args[3].Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture))] : [1, 3];
        using var cluster = new PostgreSqlCluster();
        if (cluster.Unavailable is { } why)
        {
            Console.Error.WriteLine($"replicas {why}");
            return 1;
        }

        string root = Directory.CreateTempSubdirectory("replica-writes-").FullName;
        try
        {
            var network = NetworkPopulator.Create(root, "bench", peers, new IPEndPoint(IPAddress.Loopback, NetworkPopulator.ListenPort));
            long cidr;
            using (var file = ServerStore.Open(network.Database))
            {
                cidr = file.AddCidr(new CidrContents("bench-writes", WritesCidr, file.ListCidrs()[0].Id)).Id;
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"replicas: add-peer on a network of {peers} peers; {Environment.ProcessorCount} cores shared with PostgreSQL; "
                + $"1-min load {ProcessInfo.LoadAverage()}"));
            var names = new WriteNames(cidr);

            string liteDb = Path.Combine(root, "sequential.db");
            File.Copy(network.Database, liteDb);
            using (var store = ServerStore.Open(liteDb))
            {
                Print("commit latency, LiteDB (fsync)", Sequential(store, names));
            }

            using (var store = ServerStore.Open(PostgreSqlStoreEngine.Connect(CopyToPostgreSql(cluster, network.Database))))
            {
                Print("commit latency, PostgreSQL", Sequential(store, names));
            }

            foreach (int count in counts)
            {
                string connection = CopyToPostgreSql(cluster, network.Database);
                var replicas = Enumerable.Range(0, count)
                    .Select(_ => ServerStore.Open(PostgreSqlStoreEngine.Connect(connection, replica: true))).ToList();
                try
                {
                    await ConcurrentAsync(replicas, names, writes, writers);
                }
                finally
                {
                    replicas.ForEach(r => r.Dispose());
                }
            }

            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static string CopyToPostgreSql(PostgreSqlCluster cluster, string database)
    {
        string connection = cluster.NewSchema();
        using var file = ServerStore.Open(database);
        using (file.CopyTo(PostgreSqlStoreEngine.Connect(connection)))
        {
        }

        return connection;
    }

    private static List<double> Sequential(ServerStore store, WriteNames names)
    {
        var samples = new List<double>();
        for (int i = 0; i < WarmUp + SequentialWrites; i++)
        {
            var contents = names.Next();
            long started = Stopwatch.GetTimestamp();
            store.AddPeer(contents);
            if (i >= WarmUp)
            {
                samples.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }

        return samples;
    }

    private static async Task ConcurrentAsync(List<ServerStore> replicas, WriteNames names, int writes, int writers)
    {
        // When each new peer first became visible on each replica. Ids come from the database's counter under the state's
        // lock, so they are handed out in commit order and a replica publishes them in that order: each announcement of
        // another replica's commit is followed by probing upward from the highest id seen there.
        var seen = replicas.Select(_ => new ConcurrentDictionary<long, long>()).ToList();
        var acknowledged = new ConcurrentDictionary<long, (int Replica, long At)>();
        long firstId = replicas[0].ListPeers().Max(p => p.Id) + 1;
        var handlers = new List<EventHandler>();
        for (int r = 0; r < replicas.Count; r++)
        {
            var replica = replicas[r];
            var mine = seen[r];
            long highest = firstId - 1;
            var probing = new Lock();
            EventHandler handler = (_, _) =>
            {
                long now = Stopwatch.GetTimestamp();
                lock (probing)
                {
                    while (replica.GetPeer(highest + 1) is not null)
                    {
                        mine.TryAdd(++highest, now);
                    }
                }
            };
            replica.CommittedElsewhere += handler;
            handlers.Add(handler);
        }

        // Throughput: the writers as fast as the replicas acknowledge.
        int next = -1;
        long started = Stopwatch.GetTimestamp();
        var tasks = Enumerable.Range(0, writers).Select(w => Task.Run(() =>
        {
            int n;
            while ((n = Interlocked.Increment(ref next)) < writes)
            {
                replicas[n % replicas.Count].AddPeer(names.Next());
            }
        })).ToArray();
        await Task.WhenAll(tasks);
        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;

        // Propagation: one write every PacedInterval, through each replica in turn (a steady admin load, no queue).
        for (int i = 0; i < PacedWrites && replicas.Count > 1; i++)
        {
            long due = Stopwatch.GetTimestamp() + (long)(PacedInterval.TotalSeconds * Stopwatch.Frequency);
            int r = i % replicas.Count;
            var peer = replicas[r].AddPeer(names.Next());
            acknowledged[peer.Id] = (r, Stopwatch.GetTimestamp());
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }
        }

        var propagation = new List<double>();
        if (replicas.Count > 1)
        {
            // Wait (bounded) until every replica published every write it did not make itself.
            var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 30);
            while (Stopwatch.GetTimestamp() < deadline && acknowledged.Any(a => Missing(a.Key, a.Value.Replica)))
            {
                await Task.Delay(10);
            }

            foreach (var (id, ack) in acknowledged)
            {
                double worst = 0;
                for (int r = 0; r < replicas.Count; r++)
                {
                    if (r != ack.Replica)
                    {
                        // Published before the writer's thread took its acknowledgement time: 0.
                        worst = Math.Max(worst, seen[r].TryGetValue(id, out long at)
                            ? Math.Max(0, Stopwatch.GetElapsedTime(ack.At, at).TotalMilliseconds)
                            : double.PositiveInfinity);
                    }
                }

                propagation.Add(worst);
            }
        }

        for (int r = 0; r < replicas.Count; r++)
        {
            replicas[r].CommittedElsewhere -= handlers[r];
        }

        string label = replicas.Count == 1 ? "1 replica" : $"{replicas.Count} replicas";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {label,-31} {writes} writes by {writers} writers: {writes / seconds:F0} writes/s ({seconds:F2} s)"));
        if (propagation.Count > 0)
        {
            Print($"  ack -> every other replica", propagation);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"    (propagation: {PacedWrites} writes at {1 / PacedInterval.TotalSeconds:F0}/s, each through the next replica)"));
        }

        bool Missing(long id, int replica) => Enumerable.Range(0, replicas.Count).Any(r => r != replica && !seen[r].ContainsKey(id));
    }

    private static void Print(string what, List<double> samples)
        => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {what,-31} median {Stats.Median(samples):F1} ms, p99 {Stats.Percentile(samples, 99):F1} ms "
            + $"[{samples.Min():F1}–{samples.Max():F1}], {samples.Count} samples"));

    /// <summary>New peers for the writes: unique names, consecutive IPs in <see cref="WritesCidr"/>, random keys.</summary>
    private sealed class WriteNames(long cidrId)
    {
        private int _count;

        public PeerContents Next()
        {
            int n = Interlocked.Increment(ref _count);
            byte[] ip = WritesCidr.BaseAddress.GetAddressBytes();
            ip[2] += (byte)(n >> 8);
            ip[3] = (byte)n;
            return new PeerContents
            {
                Name = string.Create(CultureInfo.InvariantCulture, $"w-{n}"),
                Ip = new IPAddress(ip),
                CidrId = cidrId,
                PublicKey = new WireGuardKey(RandomNumberGenerator.GetBytes(32)),
                IsAdmin = false,
                IsDisabled = false,
                IsRedeemed = true,
                PersistentKeepaliveInterval = null,
                InviteExpires = null,
                Endpoint = null,
                Candidates = [],
            };
        }
    }
}
