using Innernet.Core.Acl;
using Innernet.Core.Model;

namespace Innernet.Core.Persistence;

public sealed partial class ServerStore
{
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
}
