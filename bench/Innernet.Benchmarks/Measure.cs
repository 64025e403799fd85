using System.Diagnostics;

namespace Innernet.Benchmarks;

/// <summary>Stopwatch medians: one warm-up, then <c>runs</c> timed repetitions, each after an untimed reset.</summary>
internal static class Measure
{
    public static double MedianMs(int runs, Action reset, Action timed)
    {
        ArgumentNullException.ThrowIfNull(reset);
        ArgumentNullException.ThrowIfNull(timed);
        reset();
        timed(); // warm-up: JIT, page cache, first socket
        var samples = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            reset();
            GC.Collect();
            GC.WaitForPendingFinalizers();
            long start = Stopwatch.GetTimestamp();
            timed();
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        Array.Sort(samples);
        return runs % 2 == 1 ? samples[runs / 2] : (samples[(runs / 2) - 1] + samples[runs / 2]) / 2;
    }
}
