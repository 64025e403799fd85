using Innernet.Core.Persistence;

namespace Innernet.Benchmarks.Server;

/// <summary>
/// <c>store-open [peers] [runs] [baseline.dll]</c>: the cold-process cost of <see cref="ServerStore.Open(string)"/>, the piece of
/// <c>serve</c>'s start-up that reads the whole database. Builds one database with <see cref="NetworkPopulator"/>,
/// then starts a fresh process per run (a new runtime that JIT-compiles everything, as a restarted server does)
/// that opens it once and reports how long <c>Open</c> and the first ACL view took. The children inherit the
/// environment, so runtime knobs (<c>DOTNET_TieredPGO=0</c> …) can be compared without a rebuild. Given another
/// build of this benchmark, its <c>store-open-once</c> runs interleaved on the same file, so both see the same noise.
/// Besides wall time each child reports the CPU time its process used during the open (all threads, JIT included),
/// which a busy machine distorts less.
/// </summary>
internal static class StoreOpenBench
{
    private const int DefaultPeers = 10_000;
    private const int DefaultRuns = 7;
    private const string OnceCommand = "store-open-once";

    public static async Task<int> RunAsync(string[] args)
    {
        int peers = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : DefaultPeers;
        int runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : DefaultRuns;
        string? baseline = args.Length > 2 ? Path.GetFullPath(args[2]) : null;
        string root = Directory.CreateTempSubdirectory("store-open-bench-").FullName;
        try
        {
            var network = NetworkPopulator.Create(root, "bench", peers, new IPEndPoint(IPAddress.Loopback, NetworkPopulator.ListenPort));
            string loadBefore = ProcessInfo.LoadAverage();
            string self = typeof(StoreOpenBench).Assembly.Location;
            var builds = baseline is null ? [self] : new[] { baseline, self };
            var samples = builds.ToDictionary(b => b, _ => new List<Sample>());
            for (int i = 0; i < runs; i++)
            {
                foreach (string build in builds)
                {
                    samples[build].Add(await RunChildAsync(build, network.Database));
                }
            }

            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"store open, {network.Peers} peers, {runs} cold processes per build, "
                + $"1-min load {loadBefore} -> {ProcessInfo.LoadAverage()}"));
            foreach (string build in builds)
            {
                var list = samples[build];
                Console.WriteLine(build == self ? "this build" : $"baseline {build}");
                Print("ServerStore.Open", [.. list.Select(s => s.OpenMs)]);
                Print("  its CPU time", [.. list.Select(s => s.OpenCpuMs)]);
                Print("first GetView()", [.. list.Select(s => s.ViewMs)]);
                Print("whole process", [.. list.Select(s => s.TotalMs)]);
            }

            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>The child: one open, timed from inside, printed as "open_ms open_cpu_ms view_ms".</summary>
    public static int RunOnce(string database)
    {
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        using var store = ServerStore.Open(database);
        var opened = Stopwatch.GetTimestamp();
        process.Refresh();
        var openCpu = process.TotalProcessorTime - cpuBefore;
        _ = store.GetView();
        var viewed = Stopwatch.GetTimestamp();
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{Stopwatch.GetElapsedTime(started, opened).TotalMilliseconds:F1} {openCpu.TotalMilliseconds:F1} "
            + $"{Stopwatch.GetElapsedTime(opened, viewed).TotalMilliseconds:F1}"));
        return 0;
    }

    private static async Task<Sample> RunChildAsync(string build, string database)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true };
        start.ArgumentList.Add(build);
        start.ArgumentList.Add(OnceCommand);
        start.ArgumentList.Add(database);
        long started = Stopwatch.GetTimestamp();
        using var child = Process.Start(start) ?? throw new InvalidOperationException("Cannot start the child process.");
        string output = await child.StandardOutput.ReadToEndAsync();
        await child.WaitForExitAsync();
        if (child.ExitCode != 0)
        {
            throw new InvalidOperationException($"The child failed with exit code {child.ExitCode}: {output}");
        }

        double total = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        double[] fields = [.. output.Trim().Split(' ').Select(f => double.Parse(f, CultureInfo.InvariantCulture))];
        return new Sample(fields[0], fields[1], fields[2], total);
    }

    private sealed record Sample(double OpenMs, double OpenCpuMs, double ViewMs, double TotalMs);

    private static void Print(string what, double[] samples)
        => Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"  {what,-18} median {Stats.Median(samples):F0} ms [{samples.Min():F0}–{samples.Max():F0}]"));
}
