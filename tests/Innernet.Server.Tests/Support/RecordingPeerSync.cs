using System.Collections.Concurrent;
using Innernet.Netlink.WireGuard;
using Innernet.Server.Api;

namespace Innernet.Server.Tests.Support;

/// <summary>
/// The WireGuard seam for API tests: records what the API asks WireGuard to do and answers
/// <see cref="GetObservedEndpoint"/> from <see cref="Observed"/> (the endpoints a real interface would report).
/// </summary>
internal sealed class RecordingPeerSync : IPeerSync
{
    public ConcurrentDictionary<WireGuardKey, IPEndPoint> Observed { get; } = new();

    public ConcurrentQueue<string> Calls { get; } = new();

    public ConcurrentQueue<Peer> Added { get; } = new();

    public ConcurrentQueue<Peer> EnabledChanged { get; } = new();

    public ConcurrentQueue<(Peer Before, Peer After)> Redeemed { get; } = new();

    public ConcurrentQueue<Peer> Removed { get; } = new();

    public void PeerAdded(Peer peer)
    {
        Calls.Enqueue($"added {peer.Name}");
        Added.Enqueue(peer);
    }

    public void PeerEnabledChanged(Peer peer)
    {
        Calls.Enqueue($"{(peer.IsDisabled ? "disabled" : "enabled")} {peer.Name}");
        EnabledChanged.Enqueue(peer);
    }

    public void PeerRedeemed(Peer before, Peer after)
    {
        Calls.Enqueue($"redeemed {after.Name}");
        Redeemed.Enqueue((before, after));
    }

    public void PeersRemoved(IReadOnlyList<Peer> peers)
    {
        foreach (var peer in peers)
        {
            Calls.Enqueue($"removed {peer.Name}");
            Removed.Enqueue(peer);
        }
    }

    public void CommittedElsewhere() => Calls.Enqueue("committed elsewhere");

    public IPEndPoint? GetObservedEndpoint(WireGuardKey publicKey) => Observed.GetValueOrDefault(publicKey);
}
