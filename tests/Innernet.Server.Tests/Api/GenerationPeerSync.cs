using System.Collections.Concurrent;
using Innernet.Netlink.WireGuard;
using Innernet.Server.Api;

namespace Innernet.Server.Tests.Api;

/// <summary>
/// An <see cref="IPeerSync"/> that reports an <see cref="IPeerSync.EndpointGeneration"/> (so the API caches its
/// bodies), with the observed endpoints a real interface would report; <see cref="Observe"/> changes one and then
/// bumps the generation, as <c>WireGuardPeerSync</c> does.
/// </summary>
internal sealed class GenerationPeerSync : IPeerSync
{
    private readonly ConcurrentDictionary<WireGuardKey, IPEndPoint> _observed = new();
    private long _generation;

    public long? EndpointGeneration => Interlocked.Read(ref _generation);

    public void Observe(WireGuardKey key, IPEndPoint endpoint)
    {
        _observed[key] = endpoint;
        Interlocked.Increment(ref _generation);
    }

    public void PeerAdded(Peer peer)
    {
    }

    public void PeerEnabledChanged(Peer peer)
    {
    }

    public void PeerRedeemed(Peer before, Peer after)
    {
    }

    public void PeersRemoved(IReadOnlyList<Peer> peers)
    {
    }

    public IPEndPoint? GetObservedEndpoint(WireGuardKey publicKey) => _observed.GetValueOrDefault(publicKey);
}
