using System.Globalization;

namespace Innernet.Benchmarks;

/// <summary>One measured pair: our library vs wg(8) for the same operation, medians in milliseconds.</summary>
internal sealed record ResultRow(string Backend, int Peers, string Operation, double OursMs, double WgMs, int Runs, string Note)
{
    public double Ratio => OursMs / WgMs;

    public string ToLine() => string.Join('\t',
        Backend, Peers.ToString(CultureInfo.InvariantCulture), Operation,
        OursMs.ToString("0.###", CultureInfo.InvariantCulture), WgMs.ToString("0.###", CultureInfo.InvariantCulture),
        Runs.ToString(CultureInfo.InvariantCulture), Note);

    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Backend,-7} {Peers,6} {Operation,-6} ours {OursMs,9:0.0} ms  wg {WgMs,9:0.0} ms  ratio {Ratio:0.00}  {Note}");

    public static IEnumerable<ResultRow> ReadAll(string path)
    {
        foreach (var line in File.ReadLines(path))
        {
            string[] f = line.Split('\t');
            if (f.Length < 7 || line.StartsWith('#'))
            {
                continue;
            }

            yield return new ResultRow(
                f[0], int.Parse(f[1], CultureInfo.InvariantCulture), f[2],
                double.Parse(f[3], CultureInfo.InvariantCulture), double.Parse(f[4], CultureInfo.InvariantCulture),
                int.Parse(f[5], CultureInfo.InvariantCulture), f[6]);
        }
    }
}
