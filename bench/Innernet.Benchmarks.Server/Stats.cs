namespace Innernet.Benchmarks.Server;

/// <summary>Order statistics over samples in milliseconds, and stopwatch medians of an in-process action.</summary>
internal static class Stats
{
    /// <summary>The nearest-rank percentile (0 &lt; <paramref name="percent"/> ≤ 100) of <paramref name="samples"/>; NaN when empty.</summary>
    public static double Percentile(IReadOnlyCollection<double> samples, double percent)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0)
        {
            return double.NaN;
        }

        double[] sorted = [.. samples.Order()];
        int rank = (int)Math.Ceiling(percent / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    public static double Median(IReadOnlyCollection<double> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0)
        {
            return double.NaN;
        }

        double[] sorted = [.. samples.Order()];
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>Two untimed warm-up calls, then the median of <paramref name="runs"/> timed calls.</summary>
    public static double MedianMs(int runs, Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        action();
        action();
        var samples = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        return Median(samples);
    }
}
