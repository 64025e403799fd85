using System.Net;
using Innernet.Core.Model;
using Innernet.Netlink.WireGuard;

namespace Innernet.Server.Api;

/// <summary>
/// Applies committed store changes to the server's WireGuard interface at once, and reports what that
/// interface observes. The API calls it after each successful write; implementations must not block for long
/// (a delayed action, like the redeem key swap, runs on its own task).
/// </summary>
public interface IPeerSync
{
    /// <summary>A peer was created (<c>POST /v1/admin/peers</c>): add its key with its IP as allowed IP.</summary>
    void PeerAdded(Peer peer);

    /// <summary>A peer was disabled or re-enabled (<c>PUT</c> or <c>DELETE /v1/admin/peers/{id}</c>): remove or re-add it.</summary>
    void PeerEnabledChanged(Peer peer);

    /// <summary>
    /// An invitation was redeemed, or a peer rotated its key: after the 5 s transition remove <paramref name="before"/>'s
    /// temporary (old) key and add <paramref name="after"/>'s permanent (new) key.
    /// </summary>
    void PeerRedeemed(Peer before, Peer after);

    /// <summary>Peers were deleted from the store (expired invitations swept): remove their keys.</summary>
    void PeersRemoved(IReadOnlyList<Peer> peers);

    /// <summary>
    /// The store published changes another server sharing its database committed (replicas): apply whatever changed. An
    /// implementation that follows the store by reconciliation makes a pass soon. Must be cheap.
    /// </summary>
    void CommittedElsewhere()
    {
    }

    /// <summary>The endpoint WireGuard observed for this key (last handshake source), or null when unknown.</summary>
    IPEndPoint? GetObservedEndpoint(WireGuardKey publicKey);

    /// <summary>
    /// An authenticated request of <paramref name="peer"/> arrived (through the tunnel: WireGuard has just seen it).
    /// An implementation that observes endpoints may look soon when it knows none for this peer yet. Must be cheap.
    /// </summary>
    void PeerContacted(Peer peer)
    {
    }

    /// <summary>
    /// A number that grows after every change of what <see cref="GetObservedEndpoint"/> answers (the change is
    /// visible before the number grows, so what is read after reading it is at least that new), or null when
    /// the implementation cannot tell: then responses that inject observed endpoints are not cached.
    /// </summary>
    long? EndpointGeneration => null;

    /// <summary>How many peers the WireGuard interface holds (as of the last look), or null when unknown.</summary>
    int? InterfacePeerCount => null;
}
