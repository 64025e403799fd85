using System.Diagnostics;

namespace Innernet.Benchmarks;

/// <summary>
/// Stopwatch medians of paired runs. Ours and wg alternate (ours first in even rounds, wg first in odd
/// ones), so load from elsewhere on a shared 2-core machine hits both sides alike. <see cref="WarmupRuns"/>
/// untimed rounds come first (JIT tiering reaches steady state, page cache and sockets are warm); each
/// timed action follows its own untimed reset.
/// </summary>
internal static class Measure
{
    public const int WarmupRuns = 3;

    public static (double OursMs, double WgMs) PairedMedians(int runs, Action reset, Action ours, Action wg)
    {
        ArgumentNullException.ThrowIfNull(reset);
        ArgumentNullException.ThrowIfNull(ours);
        ArgumentNullException.ThrowIfNull(wg);
        for (int i = 0; i < WarmupRuns; i++)
        {
            reset();
            ours();
            reset();
            wg();
        }

        var oursSamples = new double[runs];
        var wgSamples = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            if (i % 2 == 0)
            {
                oursSamples[i] = Time(reset, ours);
                wgSamples[i] = Time(reset, wg);
            }
            else
            {
                wgSamples[i] = Time(reset, wg);
                oursSamples[i] = Time(reset, ours);
            }
        }

        return (Median(oursSamples), Median(wgSamples));
    }

    public static double Median(double[] samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var sorted = samples.Order().ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[(n / 2) - 1] + sorted[n / 2]) / 2;
    }

    private static double Time(Action reset, Action timed)
    {
        reset();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long start = Stopwatch.GetTimestamp();
        timed();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }
}
