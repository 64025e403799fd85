namespace Innernet.Benchmarks.Server;

/// <summary>In-process costs of one <c>GET /v1/user/state</c> body for one viewer (medians, milliseconds).</summary>
/// <param name="StateMs"><see cref="Innernet.Core.Persistence.ServerStore.GetState"/> with the snapshot's view already built (what a request pays).</param>
/// <param name="CopyMs">One <c>peer with { … }</c> copy per visible peer, as the server's endpoint injection makes.</param>
/// <param name="SerializeMs">UTF-8 JSON of the whole State with innernet's serializer settings.</param>
internal sealed record ViewTimings(int VisiblePeers, long JsonBytes, double StateMs, double CopyMs, double SerializeMs)
{
    public double TotalMs => StateMs + CopyMs + SerializeMs;
}
