using Innernet.Core.Acl;
using Innernet.Core.Contracts;
using Innernet.Core.Model;
using Innernet.Core.Persistence;

namespace Innernet.Benchmarks.Server;

/// <summary>
/// The server-side work of a state request without HTTP, Kestrel or the tunnel: open the store, build the view,
/// compute one viewer's state, copy the peers as the endpoint injection does, serialize. Tells whether the view is
/// the bottleneck of the end-to-end numbers.
/// </summary>
internal static class InProcessBenchmark
{
    private const int ViewBuildRuns = 11;
    private const int StateRuns = 101;
    private const int SerializeRuns = 21;
    private const ushort Keepalive = 25;

    public static InProcessTimings Run(BenchNetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        long start = Stopwatch.GetTimestamp();
        using var store = ServerStore.Open(network.Database);
        double openMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;

        var cidrs = store.ListCidrs();
        var peers = store.ListPeers();
        var associations = store.ListAssociations();
        double viewBuildMs = Stats.MedianMs(ViewBuildRuns, () => GC.KeepAlive(new NetworkView(cidrs, peers, associations)));
        return new InProcessTimings(openMs, viewBuildMs, Viewer(store, network.FewHundred), Viewer(store, network.All));
    }

    private static ViewTimings Viewer(ServerStore store, BenchPeer peer)
    {
        var state = store.GetState(peer.Id);
        double stateMs = Stats.MedianMs(StateRuns, () => GC.KeepAlive(store.GetState(peer.Id)));
        double copyMs = Stats.MedianMs(StateRuns, () => GC.KeepAlive(Served(state.Peers)));
        var served = new State(Served(state.Peers), state.Cidrs);
        byte[] json = InnernetJson.SerializeToUtf8Bytes(served);
        double serializeMs = Stats.MedianMs(SerializeRuns, () => GC.KeepAlive(InnernetJson.SerializeToUtf8Bytes(served)));
        return new ViewTimings(state.Peers.Count, json.Length, stateMs, copyMs, serializeMs);
    }

    /// <summary>The allocation pattern of the server's <c>EndpointInjection.Serve</c>: one new record per visible peer.</summary>
    private static List<Peer> Served(IReadOnlyList<Peer> peers)
        => [.. peers.Select(p => p with { PersistentKeepaliveInterval = Keepalive })];
}
