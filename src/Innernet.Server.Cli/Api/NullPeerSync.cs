using System.Net;
using Innernet.Core.Model;
using Innernet.Netlink.WireGuard;

namespace Innernet.Server.Api;

/// <summary>
/// An <see cref="IPeerSync"/> without WireGuard: changes go nowhere and nothing is ever observed. The default of
/// <see cref="ServerAppOptions.PeerSync"/>, for an API hosted without an interface (in-process tests); <c>serve</c>
/// always passes its <c>WireGuardPeerSync</c>.
/// </summary>
public sealed class NullPeerSync : IPeerSync
{
    private NullPeerSync()
    {
    }

    /// <summary>The single instance.</summary>
    public static NullPeerSync Instance { get; } = new();

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

    public IPEndPoint? GetObservedEndpoint(WireGuardKey publicKey) => null;

    /// <summary>Always 0: nothing is ever observed, so nothing changes.</summary>
    public long? EndpointGeneration => 0;
}
