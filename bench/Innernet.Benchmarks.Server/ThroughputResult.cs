namespace Innernet.Benchmarks.Server;

/// <summary>
/// Requests completed by <see cref="Concurrency"/> connections in a fixed window, and the CPU the server process and
/// its wireguard-go used per request meanwhile (the client and the peer's wireguard-go share the same 2 cores).
/// </summary>
internal sealed record ThroughputResult(
    int Concurrency,
    int Requests,
    int Errors,
    double Seconds,
    double ServerCpuMsPerRequest,
    double ServerSystemCpuMsPerRequest,
    double WireGuardCpuMsPerRequest,
    long BytesPerRequest)
{
    public double RequestsPerSecond => Requests / Seconds;

    public double MegabytesPerSecond => Requests * (double)BytesPerRequest / Seconds / 1e6;
}
