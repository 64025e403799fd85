using Innernet.Core.Model;
using Innernet.Core.Persistence;
using Innernet.Server.PostgreSql;
using Innernet.Testing;

namespace Innernet.Benchmarks.Server;

/// <summary>
/// <c>replica-refresh [peers] [runs]</c> (root: it starts a throw-away PostgreSQL cluster): what another replica's commit
/// costs a replica that re-reads the whole state per notification. A network of <c>peers</c> is copied into PostgreSQL and
/// opened by two replicas; each run changes one peer's candidates through replica A and times until replica B's committed
/// state holds the change (notification, generation check, full read, snapshot with unchanged rows shared), and the CPU
/// time this process spent meanwhile (both replicas: A's commit is small next to B's read). A cold open of the same
/// database (one full read and snapshot, no sharing) is timed for comparison.
/// </summary>
internal static class ReplicaRefreshBench
{
    private const int DefaultPeers = 10_000;
    private const int DefaultRuns = 20;
    private const int WarmUpRuns = 3;

    public static async Task<int> RunAsync(string[] args)
    {
        int peers = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : DefaultPeers;
        int runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : DefaultRuns;
        using var cluster = new PostgreSqlCluster();
        if (cluster.Unavailable is { } why)
        {
            Console.Error.WriteLine($"replica-refresh {why}");
            return 1;
        }

        string root = Directory.CreateTempSubdirectory("replica-bench-").FullName;
        try
        {
            var network = NetworkPopulator.Create(root, "bench", peers, new IPEndPoint(IPAddress.Loopback, NetworkPopulator.ListenPort));
            string connection = cluster.NewSchema();
            using (var file = ServerStore.Open(network.Database))
            using (file.CopyTo(PostgreSqlStoreEngine.Connect(connection)))
            {
            }

            var open = new List<double>();
            for (int i = 0; i < 5; i++)
            {
                long started = Stopwatch.GetTimestamp();
                using var cold = ServerStore.Open(PostgreSqlStoreEngine.Connect(connection));
                open.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            using var a = ServerStore.Open(PostgreSqlStoreEngine.Connect(connection, replica: true));
            using var b = ServerStore.Open(PostgreSqlStoreEngine.Connect(connection, replica: true));
            var target = a.ListPeers()[^1];
            var latency = new List<double>();
            var cpu = new List<double>();
            using var process = Process.GetCurrentProcess();
            for (int i = 0; i < WarmUpRuns + runs; i++)
            {
                var candidates = new[] { Endpoint.Parse($"192.0.2.{(i % 250) + 1}:51820") };
                process.Refresh();
                var cpuBefore = process.TotalProcessorTime;
                long started = Stopwatch.GetTimestamp();
                a.SetCandidates(target.Id, candidates);
                while (!b.GetPeer(target.Id)!.Candidates.SequenceEqual(candidates))
                {
                    await Task.Delay(1);
                }

                double ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                process.Refresh();
                if (i >= WarmUpRuns)
                {
                    latency.Add(ms);
                    cpu.Add((process.TotalProcessorTime - cpuBefore).TotalMilliseconds);
                }
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"replica refresh, {network.Peers} peers in PostgreSQL, {runs} one-peer commits, 1-min load {ProcessInfo.LoadAverage()}"));
            Print("cold open (full read)", open);
            Print("commit on A -> seen on B", latency);
            Print("  CPU time meanwhile", cpu);
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static void Print(string what, List<double> samples)
        => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {what,-26} median {Stats.Median(samples):F0} ms, p90 {Stats.Percentile(samples, 90):F0} ms "
            + $"[{samples.Min():F0}–{samples.Max():F0}]"));
}
