namespace Innernet.Testing.Networks;

/// <summary>
/// An independent implementation of innernet's visibility rule (<c>get_all_allowed_peers</c>), written
/// the way the server's recursive SQL reads — fixed points over sets — so the scenarios compute their expectations
/// without the product's own <c>NetworkView</c>:
/// parent_of = the viewer's CIDR and its ancestors; associated = the other side of every association touching
/// parent_of; visible CIDRs = {viewer's CIDR, the server's CIDR} ∪ associated, closed over children; visible peers
/// = the enabled, redeemed peers in those CIDRs.
/// </summary>
public sealed class VisibilityRule
{
    private readonly IReadOnlyList<ServerCidr> _cidrs;
    private readonly IReadOnlyList<ServerAssociation> _associations;
    private readonly Dictionary<long, ServerPeer> _peers;
    private readonly long _serverCidr;

    public VisibilityRule(IReadOnlyList<ServerCidr> cidrs, IReadOnlyList<ServerPeer> peers, IReadOnlyList<ServerAssociation> associations)
    {
        ArgumentNullException.ThrowIfNull(peers);
        _cidrs = cidrs ?? throw new ArgumentNullException(nameof(cidrs));
        _associations = associations ?? throw new ArgumentNullException(nameof(associations));
        _peers = peers.ToDictionary(p => p.Id);
        // The server is the first peer `new` creates; its CIDR is the infra CIDR every peer sees.
        _serverCidr = peers.MinBy(p => p.Id)?.CidrId
            ?? throw new ArgumentException("a network has at least its server peer", nameof(peers));
    }

    /// <summary>The server peer's name (<c>innernet-server</c>): the first peer <c>new</c> creates.</summary>
    public string ServerName => _peers[_peers.Keys.Min()].Name;

    /// <summary>True when <paramref name="viewer"/> receives <paramref name="target"/> from the server (so configures it in
    /// WireGuard).</summary>
    public bool Sees(string viewer, string target)
    {
        var v = Peer(viewer);
        var t = Peer(target);
        if (v.CidrId == _serverCidr)
        {
            // The server is not a client: it configures every enabled peer on its interface.
            return !t.IsDisabled;
        }

        return !t.IsDisabled && t.IsRedeemed && VisibleCidrs(v.CidrId).Contains(t.CidrId);
    }

    /// <summary>
    /// True when packets can flow both ways between two peers through their tunnels: each must have the other as a
    /// WireGuard peer. The server configures every enabled peer, so it reaches whoever sees it.
    /// </summary>
    public bool CanPing(string from, string to) => Sees(from, to) && Sees(to, from) && !Peer(from).IsDisabled;

    private ServerPeer Peer(string name) =>
        _peers.Values.SingleOrDefault(p => p.Name == name)
            ?? throw new ArgumentException($"no peer named '{name}' in the server's list", nameof(name));

    private HashSet<long> VisibleCidrs(long cidr)
    {
        var parentOf = new HashSet<long>();
        for (long? c = cidr; c is { } id && parentOf.Add(id);)
        {
            c = _cidrs.Single(x => x.Id == id).Parent;
        }

        var visible = new HashSet<long> { cidr, _serverCidr };
        foreach (var a in _associations)
        {
            if (parentOf.Contains(a.CidrId1))
            {
                visible.Add(a.CidrId2);
            }

            if (parentOf.Contains(a.CidrId2))
            {
                visible.Add(a.CidrId1);
            }
        }

        bool grew = true;
        while (grew)
        {
            grew = false;
            foreach (var c in _cidrs)
            {
                if (c.Parent is { } parent && visible.Contains(parent) && visible.Add(c.Id))
                {
                    grew = true;
                }
            }
        }

        return visible;
    }
}
