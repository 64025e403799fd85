using System.Globalization;
using System.Text;

namespace Innernet.Benchmarks;

/// <summary>Renders the medians as a Markdown table and keeps the latest one in docs/benchmarks.md.</summary>
internal static class Report
{
    private const string Begin = "<!-- netlink-bench:begin -->";
    private const string End = "<!-- netlink-bench:end -->";

    public static string Render(IReadOnlyList<ResultRow> rows, string machine)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"Run {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {machine}; medians of {(rows.Count > 0 ? rows[0].Runs : 0)} runs after {Measure.WarmupRuns} warm-up runs.\n\n");
        sb.Append("| backend | peers | operation | ours (ms) | wg (ms) | ours/wg | goal |\n");
        sb.Append("| --- | ---: | --- | ---: | ---: | ---: | --- |\n");
        foreach (var r in rows)
        {
            double goal = r.Backend == "kernel" ? 0.9 : 1.05;
            string verdict = r.Operation == OursVersusWg.ShowOperation
                ? "— (both whole processes)"
                : $"≤ {goal:0.00} {(r.Ratio <= goal ? "met" : "missed")}";
            sb.Append(CultureInfo.InvariantCulture,
                $"| {r.Backend} | {r.Peers:N0} | {r.Operation} | {r.OursMs:0.0} | {r.WgMs:0.0} | {r.Ratio:0.00} | {verdict} |\n");
        }

        sb.Append('\n');
        foreach (var note in rows.Select(r => $"{r.Backend}: {r.Note}").Distinct())
        {
            sb.Append("- ").Append(note).Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>Replaces the generated block between the markers (or appends one).</summary>
    public static void WriteDocument(string path, string table)
    {
        string block = $"{Begin}\n{table}{End}";
        string text = File.Exists(path) ? File.ReadAllText(path) : "# Benchmarks\n\n";
        int b = text.IndexOf(Begin, StringComparison.Ordinal);
        int e = text.IndexOf(End, StringComparison.Ordinal);
        text = b >= 0 && e > b
            ? string.Concat(text.AsSpan(0, b), block, text.AsSpan(e + End.Length))
            : text.TrimEnd() + "\n\n" + block + "\n";
        File.WriteAllText(path, text);
    }
}
