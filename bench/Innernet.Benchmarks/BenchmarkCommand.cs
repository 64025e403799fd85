using System.Globalization;

namespace Innernet.Benchmarks;

/// <summary>
/// <c>Innernet.Benchmarks uapi|kernel --out FILE [--peers 1000,10000] [--runs 5]</c> measures;
/// <c>Innernet.Benchmarks report --doc docs/benchmarks.md FILE...</c> prints the table of medians and
/// writes it into the document. tests/harness/bench.sh drives both.
/// </summary>
internal static class BenchmarkCommand
{
    public static int Run(string[] args)
    {
        if (args.Length == 0)
        {
            return Usage();
        }

        var options = Options.Parse(args.Skip(1));
        switch (args[0])
        {
            case "uapi":
                WriteRows(options, UapiBenchmark.Run(options.PeerCounts, options.Runs));
                return 0;
            case "kernel":
                WriteRows(options, KernelBenchmark.Run(options.PeerCounts, options.Runs));
                return 0;
            case "report":
                var rows = options.Files.SelectMany(ResultRow.ReadAll).ToList();
                string table = Report.Render(rows, options.Machine);
                Console.WriteLine(table);
                if (options.Doc is not null)
                {
                    Report.WriteDocument(options.Doc, table);
                }

                return rows.Count == 0 ? 1 : 0;
            default:
                return Usage();
        }
    }

    private static void WriteRows(Options options, IReadOnlyList<ResultRow> rows)
    {
        if (options.Out is not null)
        {
            File.AppendAllLines(options.Out, rows.Select(r => r.ToLine()));
        }
    }

    private static int Usage()
    {
        Console.Error.WriteLine("usage: Innernet.Benchmarks uapi|kernel [--peers 1000,10000] [--runs 5] [--out FILE]");
        Console.Error.WriteLine("       Innernet.Benchmarks report [--doc docs/benchmarks.md] [--machine TEXT] FILE...");
        return 2;
    }

    private sealed class Options
    {
        public int[] PeerCounts { get; private set; } = [1000, 10_000];

        public int Runs { get; private set; } = 5;

        public string? Out { get; private set; }

        public string? Doc { get; private set; }

        public string Machine { get; private set; } = $"{Environment.ProcessorCount} cores";

        public List<string> Files { get; } = [];

        public static Options Parse(IEnumerable<string> args)
        {
            var o = new Options();
            using var e = args.GetEnumerator();
            while (e.MoveNext())
            {
                string Next() => e.MoveNext() ? e.Current : throw new ArgumentException($"{e.Current} needs a value");
                switch (e.Current)
                {
                    case "--peers":
                        o.PeerCounts = [.. Next().Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))];
                        break;
                    case "--runs":
                        o.Runs = int.Parse(Next(), CultureInfo.InvariantCulture);
                        break;
                    case "--out":
                        o.Out = Next();
                        break;
                    case "--doc":
                        o.Doc = Next();
                        break;
                    case "--machine":
                        o.Machine = Next();
                        break;
                    default:
                        o.Files.Add(e.Current);
                        break;
                }
            }

            return o;
        }
    }
}
