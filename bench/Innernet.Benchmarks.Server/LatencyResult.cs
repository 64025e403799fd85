namespace Innernet.Benchmarks.Server;

/// <summary>Sequential requests on one keep-alive connection (milliseconds per request, whole body read).</summary>
internal sealed record LatencyResult(int Requests, double MedianMs, double P99Ms, double MinMs, double MaxMs);
