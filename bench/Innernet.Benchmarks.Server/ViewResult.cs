namespace Innernet.Benchmarks.Server;

/// <summary>End-to-end numbers for one benchmark peer's view.</summary>
/// <param name="VisiblePeers">Peers in the State the server returned (parsed from the body).</param>
internal sealed record ViewResult(
    BenchPeer Peer,
    int VisiblePeers,
    long ResponseBytes,
    LatencyResult Latency,
    IReadOnlyList<ThroughputResult> Throughput);
