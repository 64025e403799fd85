using System.Runtime.InteropServices;

namespace Innernet.Benchmarks.Server;

/// <summary>Entry point: options, cleanup on signals and exit, one <see cref="SizeRun"/> per size, the report.</summary>
internal static class ServerBenchCommand
{
    // Registered before the first NetnsLab exists, so on SIGINT/SIGTERM this cleanup (server, its wireguard-go)
    // runs before the lab's own handler deletes the namespaces.
    private static PosixSignalRegistration[]? s_signals;

    public static async Task<int> RunAsync(string[] args)
    {
        BenchOptions options;
        try
        {
            options = BenchOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"server-bench: {e.Message}\n{BenchOptions.Usage}");
            return 2;
        }

        if (Environment.UserName != "root")
        {
            Console.Error.WriteLine("server-bench: needs root (network namespaces, wireguard-go, the server's interface).");
            return 2;
        }

        if (!File.Exists(options.Binary))
        {
            Console.Error.WriteLine($"server-bench: {options.Binary} is missing; run ./build.sh build first.");
            return 2;
        }

        s_signals =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGQUIT, OnSignal),
        ];
        AppDomain.CurrentDomain.ProcessExit += (_, _) => BenchSession.DisposeAll();

        var date = DateTimeOffset.UtcNow;
        string loadBefore = ProcessInfo.LoadAverage();
        var clock = Stopwatch.StartNew();
        var results = new List<SizeResult>();
        RestartResult? restart = null;
        try
        {
            foreach (int size in options.Sizes)
            {
                var (result, restarts) = await SizeRun.RunAsync(options, size);
                restart ??= restarts;
                if (result is null)
                {
                    continue;
                }

                results.Add(result);
                Console.Error.WriteLine(
                    $"server-bench [{size} peers] done in {result.Elapsed.TotalSeconds:0} s: median {result.FewHundred.Latency.MedianMs:0.00} ms "
                    + $"({result.FewHundred.VisiblePeers} visible) / {result.All.Latency.MedianMs:0.00} ms ({result.All.VisiblePeers} visible)");
            }
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or TimeoutException or HttpRequestException
            or ArgumentException or Innernet.Core.InnernetException)
        {
            Console.Error.WriteLine($"server-bench: failed: {e}");
            return 1;
        }

        string load = $"{loadBefore} → {ProcessInfo.LoadAverage()}";
        if (results.Count > 0)
        {
            string tables = Report.Tables(results, options, options.Machine, date, load);
            Console.WriteLine(tables);
            if (options.DocPath is { } doc)
            {
                Report.WriteDoc(doc, tables, Report.BeginMarker, Report.EndMarker);
                Console.Error.WriteLine($"server-bench: wrote {doc}");
            }

            if (options.TsvPath is { } tsv)
            {
                Report.WriteTsv(tsv, results);
            }
        }

        if (restart is not null)
        {
            string table = Report.RestartTable(restart, options.Machine, date, load);
            Console.WriteLine(table);
            if (options.DocPath is { } doc)
            {
                Report.WriteDoc(doc, table, Report.RestartBeginMarker, Report.RestartEndMarker);
                Console.Error.WriteLine($"server-bench: wrote the restart block of {doc}");
            }

            if (options.TsvPath is { } tsv)
            {
                Report.WriteRestartTsv(Path.ChangeExtension(tsv, ".restart.tsv"), restart);
            }
        }

        Console.Error.WriteLine($"server-bench: total {clock.Elapsed.TotalSeconds:0} s");
        GC.KeepAlive(s_signals);
        return 0;
    }

    private static void OnSignal(PosixSignalContext context)
    {
        Console.Error.WriteLine($"server-bench: {context.Signal}: cleaning up");
        BenchSession.DisposeAll();
        context.Cancel = false;
    }
}
