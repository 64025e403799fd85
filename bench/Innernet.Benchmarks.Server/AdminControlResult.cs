namespace Innernet.Benchmarks.Server;

/// <summary>
/// The control without WireGuard: <c>GET /v1/admin/peers</c> (every peer, disabled and invited ones included) over
/// the server's local admin Unix socket — the same Kestrel, JSON and endpoint injection, no tunnel.
/// </summary>
internal sealed record AdminControlResult(int Peers, long ResponseBytes, LatencyResult Latency);
