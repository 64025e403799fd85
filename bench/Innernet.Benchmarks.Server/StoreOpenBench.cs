using Innernet.Core.Persistence;

namespace Innernet.Benchmarks.Server;

/// <summary>
/// <c>store-open [peers] [runs]</c>: the cold-process cost of <see cref="ServerStore.Open(string)"/>, the piece of
/// <c>serve</c>'s start-up that reads the whole database. Builds one database with <see cref="NetworkPopulator"/>,
/// then starts a fresh process per run (a new runtime that JIT-compiles everything, as a restarted server does)
/// that opens it once and reports how long <c>Open</c> and the first ACL view took. The children inherit the
/// environment, so runtime knobs (<c>DOTNET_TieredPGO=0</c> …) can be compared without a rebuild.
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
        string root = Directory.CreateTempSubdirectory("store-open-bench-").FullName;
        try
        {
            var network = NetworkPopulator.Create(root, "bench", peers, new IPEndPoint(IPAddress.Loopback, NetworkPopulator.ListenPort));
            string loadBefore = ProcessInfo.LoadAverage();
            var open = new List<double>();
            var view = new List<double>();
            var total = new List<double>();
            for (int i = 0; i < runs; i++)
            {
                var started = Stopwatch.GetTimestamp();
                var (openMs, viewMs) = await RunChildAsync(network.Database);
                total.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                open.Add(openMs);
                view.Add(viewMs);
            }

            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"store open, {network.Peers} peers, {runs} cold processes, 1-min load {loadBefore} -> {ProcessInfo.LoadAverage()}"));
            Print("ServerStore.Open", open);
            Print("first GetView()", view);
            Print("whole process", total);
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>The child: one open, timed from inside, printed as "open_ms view_ms".</summary>
    public static int RunOnce(string database)
    {
        var started = Stopwatch.GetTimestamp();
        using var store = ServerStore.Open(database);
        var opened = Stopwatch.GetTimestamp();
        _ = store.GetView();
        var viewed = Stopwatch.GetTimestamp();
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{Stopwatch.GetElapsedTime(started, opened).TotalMilliseconds:F1} {Stopwatch.GetElapsedTime(opened, viewed).TotalMilliseconds:F1}"));
        return 0;
    }

    private static async Task<(double Open, double View)> RunChildAsync(string database)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet") { RedirectStandardOutput = true };
        if (Path.GetFileNameWithoutExtension(start.FileName) == "dotnet")
        {
            start.ArgumentList.Add(typeof(StoreOpenBench).Assembly.Location);
        }

        start.ArgumentList.Add(OnceCommand);
        start.ArgumentList.Add(database);
        using var child = Process.Start(start) ?? throw new InvalidOperationException("Cannot start the child process.");
        string output = await child.StandardOutput.ReadToEndAsync();
        await child.WaitForExitAsync();
        if (child.ExitCode != 0)
        {
            throw new InvalidOperationException($"The child failed with exit code {child.ExitCode}: {output}");
        }

        string[] fields = output.Trim().Split(' ');
        return (double.Parse(fields[0], CultureInfo.InvariantCulture), double.Parse(fields[1], CultureInfo.InvariantCulture));
    }

    private static void Print(string what, List<double> samples)
        => Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"  {what,-18} median {Stats.Median(samples):F0} ms [{samples.Min():F0}–{samples.Max():F0}]"));
}
