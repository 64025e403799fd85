namespace Innernet.Benchmarks.Server;

/// <summary>
/// Milestones since the server process was started: its log lines "interface up … peer(s) loaded into WireGuard" and
/// "API listening", and the first 200 to <c>GET /v1/user/state</c> through the tunnel; RSS right after that answer.
/// </summary>
internal sealed record StartupResult(TimeSpan? InterfaceUp, TimeSpan? Listening, TimeSpan FirstAnswer, long RssKbAfterStart);
