namespace Innernet.Benchmarks.Server;

/// <summary>Command-line settings of the server benchmark (every value has a default that keeps a run under ~5 minutes).</summary>
internal sealed record BenchOptions
{
    public IReadOnlyList<int> Sizes { get; init; } = [100, 1_000, 10_000];

    /// <summary>Sequential requests timed per view (after <see cref="WarmupRequests"/>), bounded by <see cref="LatencyBudget"/>.</summary>
    public int Requests { get; init; } = 200;

    public int WarmupRequests { get; init; } = 20;

    public TimeSpan LatencyBudget { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>How long each throughput run lasts.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(5);

    public IReadOnlyList<int> Concurrency { get; init; } = [4, 16];

    /// <summary>The built <c>innernet-server</c>.</summary>
    public required string Binary { get; init; }

    /// <summary>Markdown report to (over)write, or null.</summary>
    public string? DocPath { get; init; }

    /// <summary>Tab-separated results to write, or null.</summary>
    public string? TsvPath { get; init; }

    /// <summary>The machine line of the report.</summary>
    public string Machine { get; init; } = $"{Environment.ProcessorCount} cores";

    /// <summary>The network size at which cold start and warm restart are compared (0 = none).</summary>
    public int RestartSize { get; init; } = 10_000;

    /// <summary>Cold start + warm restart pairs per build.</summary>
    public int RestartRuns { get; init; } = 5;

    /// <summary>Only the restart comparison at <see cref="RestartSize"/> (no latency/throughput there).</summary>
    public bool OnlyRestart { get; init; }

    /// <summary>An older <c>innernet-server</c> to compare start-up with (e.g. built from a temporary git worktree), or null.</summary>
    public string? BaselineBinary { get; init; }

    /// <summary>How the report names <see cref="BaselineBinary"/>.</summary>
    public string BaselineName { get; init; } = "baseline";

    /// <summary>Where the network's config and data directories are made (a fresh 0700 directory below it).</summary>
    public string WorkRoot { get; init; } = Path.GetTempPath();

    public const string Usage = """
        usage: Innernet.Benchmarks.Server --binary PATH [--sizes 100,1000,10000] [--requests 200] [--warmup 20]
               [--duration-s 5] [--concurrency 4,16] [--doc docs/benchmarks.md] [--tsv FILE]
               [--machine TEXT] [--work-root DIR] [--restart-size 10000 (0: none)] [--restart-runs 5]
               [--only-restart true] [--baseline-binary PATH] [--baseline-name TEXT]
        Needs root: network namespaces, wireguard-go, the built innernet-server serving in a namespace.
        """;

    /// <exception cref="ArgumentException">An unknown option or a bad value.</exception>
    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < args.Count; i++)
        {
            string name = args[i];
            if (!name.StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Count)
            {
                throw new ArgumentException($"'{name}' is not an option with a value.");
            }

            values[name] = args[++i];
        }

        string binary = Take(values, "--binary") ?? throw new ArgumentException("--binary is required.");
        var options = new BenchOptions { Binary = binary };
        options = Take(values, "--sizes") is { } sizes ? options with { Sizes = IntList(sizes, "--sizes") } : options;
        options = Take(values, "--requests") is { } requests ? options with { Requests = Int(requests, "--requests") } : options;
        options = Take(values, "--warmup") is { } warmup ? options with { WarmupRequests = Int(warmup, "--warmup") } : options;
        options = Take(values, "--duration-s") is { } duration
            ? options with { Duration = TimeSpan.FromSeconds(Int(duration, "--duration-s")) }
            : options;
        options = Take(values, "--concurrency") is { } concurrency
            ? options with { Concurrency = IntList(concurrency, "--concurrency") }
            : options;
        options = options with
        {
            DocPath = Take(values, "--doc"),
            TsvPath = Take(values, "--tsv"),
            Machine = Take(values, "--machine") ?? options.Machine,
            WorkRoot = Take(values, "--work-root") ?? options.WorkRoot,
            BaselineBinary = Take(values, "--baseline-binary"),
            BaselineName = Take(values, "--baseline-name") ?? options.BaselineName,
            OnlyRestart = Take(values, "--only-restart") switch
            {
                null or "false" => false,
                "true" => true,
                var other => throw new ArgumentException($"--only-restart: '{other}' is neither true nor false."),
            },
        };
        options = Take(values, "--restart-size") is { } restartSize
            ? options with { RestartSize = restartSize == "0" ? 0 : Int(restartSize, "--restart-size") }
            : options;
        options = Take(values, "--restart-runs") is { } runs ? options with { RestartRuns = Int(runs, "--restart-runs") } : options;
        if (values.Count > 0)
        {
            throw new ArgumentException($"Unknown option(s): {string.Join(", ", values.Keys)}.");
        }

        return options;
    }

    private static string? Take(Dictionary<string, string> values, string name)
        => values.Remove(name, out string? value) ? value : null;

    private static int Int(string text, string option)
        => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value > 0
            ? value
            : throw new ArgumentException($"{option}: '{text}' is not a positive integer.");

    private static int[] IntList(string text, string option)
        => [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(t => Int(t, option))];
}
