using Innernet.Core.Acl;
using Innernet.Core.Model;

namespace Innernet.Core.Persistence;

public sealed partial class ServerStore
{
    /// <summary>
    /// The version of the committed state: grows with every committed change (a write that changes nothing
    /// keeps it), never repeats while this store is open, and costs one memory read. Whatever is read from the
    /// store after reading the version is at least that new, so the version can key caches of derived data
    /// (read it first, then the data).
    /// </summary>
    public long Version => Current.Version;

    /// <summary>
    /// The ACL index over the current committed state. Built once per committed change, on first use, and
    /// shared by every caller until the next write: cheap to call on every <c>GET /v1/user/state</c>.
    /// </summary>
    public NetworkView GetView() => Current.View;

    /// <summary>The peers that peer <paramref name="peerId"/> may see (<see cref="NetworkView.GetVisiblePeers"/>).</summary>
    /// <exception cref="NotFoundException">No peer has this id.</exception>
    public IReadOnlyList<Peer> GetVisiblePeers(long peerId) => GetView().GetVisiblePeers(peerId);

    /// <summary>
    /// The peers visible to <paramref name="peerId"/> and every CIDR, from one consistent snapshot (the body
    /// of <c>GET /v1/user/state</c>, before endpoint injection).
    /// </summary>
    /// <exception cref="NotFoundException">No peer has this id.</exception>
    public State GetState(long peerId)
    {
        var state = Current;
        return new State(state.View.GetVisiblePeers(peerId), state.Cidrs);
    }

    /// <summary>
    /// The peers visible from CIDR <paramref name="cidrId"/> (<see cref="NetworkView.GetVisiblePeersFromCidr"/>)
    /// and every CIDR, from one consistent snapshot. Visibility depends only on the viewer's CIDR, so this is the
    /// <c>GET /v1/user/state</c> body (before endpoint injection) of every peer of that CIDR.
    /// </summary>
    public State GetStateForCidr(long cidrId)
    {
        var state = Current;
        return new State(state.View.GetVisiblePeersFromCidr(cidrId), state.Cidrs);
    }
}
