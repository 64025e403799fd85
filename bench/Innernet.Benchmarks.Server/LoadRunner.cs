namespace Innernet.Benchmarks.Server;

/// <summary>Bounded request loops: every loop stops by itself (request count, time budget or window).</summary>
internal static class LoadRunner
{
    private const int BufferSize = 64 * 1024;

    /// <summary><paramref name="warmup"/> untimed, then up to <paramref name="requests"/> timed sequential requests within <paramref name="budget"/>.</summary>
    public static async Task<LatencyResult> LatencyAsync(BenchHttpClient client, int warmup, int requests, TimeSpan budget)
    {
        ArgumentNullException.ThrowIfNull(client);
        byte[] buffer = new byte[BufferSize];
        for (int i = 0; i < warmup; i++)
        {
            await client.GetAsync(buffer, CancellationToken.None);
        }

        var samples = new List<double>(requests);
        var clock = Stopwatch.StartNew();
        while (samples.Count < requests && clock.Elapsed < budget)
        {
            long start = Stopwatch.GetTimestamp();
            await client.GetAsync(buffer, CancellationToken.None);
            samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        return new LatencyResult(samples.Count, Stats.Median(samples), Stats.Percentile(samples, 99), samples.Min(), samples.Max());
    }

    /// <summary>
    /// <paramref name="concurrency"/> workers, each on its own connection (one untimed request opens it), loop until
    /// the window closes; requests still in flight at the end are finished but not counted.
    /// </summary>
    public static async Task<ThroughputResult> ThroughputAsync(
        Func<int, BenchHttpClient> createClient, int concurrency, TimeSpan window, int serverPid, IReadOnlyList<int> wireGuardPids)
    {
        ArgumentNullException.ThrowIfNull(createClient);
        ArgumentNullException.ThrowIfNull(wireGuardPids);
        using var client = createClient(concurrency);
        var buffers = Enumerable.Range(0, concurrency).Select(_ => new byte[BufferSize]).ToArray();
        long[] sizes = await Task.WhenAll(buffers.Select(b => client.GetAsync(b, CancellationToken.None)));

        double serverCpu = ProcessInfo.CpuMs(serverPid) ?? double.NaN;
        double serverSystemCpu = ProcessInfo.SystemCpuMs(serverPid) ?? double.NaN;
        double wireGuardCpu = wireGuardPids.Sum(p => ProcessInfo.CpuMs(p) ?? 0);
        int completed = 0, finished = 0, errors = 0;
        long start = Stopwatch.GetTimestamp();
        long end = start + (long)(window.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(buffers.Select(async buffer =>
        {
            while (Stopwatch.GetTimestamp() < end)
            {
                try
                {
                    await client.GetAsync(buffer, CancellationToken.None);
                    Interlocked.Increment(ref finished);
                    if (Stopwatch.GetTimestamp() <= end)
                    {
                        Interlocked.Increment(ref completed);
                    }
                }
                catch (Exception e) when (e is HttpRequestException or IOException or InvalidOperationException or TaskCanceledException)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        }));
        double serverCpuUsed = (ProcessInfo.CpuMs(serverPid) ?? double.NaN) - serverCpu;
        double serverSystemCpuUsed = (ProcessInfo.SystemCpuMs(serverPid) ?? double.NaN) - serverSystemCpu;
        double wireGuardCpuUsed = wireGuardPids.Sum(p => ProcessInfo.CpuMs(p) ?? 0) - wireGuardCpu;
        // CPU is sampled until the last in-flight request ends, so it is divided by every finished request.
        int counted = Math.Max(finished, 1);
        return new ThroughputResult(
            concurrency, completed, errors, window.TotalSeconds, serverCpuUsed / counted, serverSystemCpuUsed / counted, wireGuardCpuUsed / counted, sizes.Max());
    }
}
