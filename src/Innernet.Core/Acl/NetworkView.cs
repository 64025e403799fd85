using Innernet.Core.Model;

namespace Innernet.Core.Acl;

/// <summary>
/// The visibility rule of innernet's <c>get_all_allowed_peers</c> as an index built once from
/// the CIDRs, peers and associations. A peer in CIDR C sees the enabled, redeemed peers of: C and its
/// subtree, the infra CIDR (id 2) and its subtree, and every CIDR associated with C or with an ancestor of
/// C, with their subtrees. The requester itself is included (when enabled and redeemed).
/// A query costs O(depth + associations along the ancestor chain + visible CIDRs + visible peers).
/// Immutable and safe to share between threads; rebuild it after any change.
/// </summary>
public sealed class NetworkView
{
    private readonly Dictionary<long, long?> _parentOf = [];
    private readonly Dictionary<long, List<long>> _childrenOf = [];
    private readonly Dictionary<long, List<long>> _associatedWith = [];
    private readonly Dictionary<long, List<Peer>> _visiblePeersByCidr = [];
    private readonly Dictionary<long, Peer> _peersById = [];

    /// <summary>Indexes the network.</summary>
    public NetworkView(IEnumerable<Cidr> cidrs, IEnumerable<Peer> peers, IEnumerable<Association> associations)
    {
        ArgumentNullException.ThrowIfNull(cidrs);
        ArgumentNullException.ThrowIfNull(peers);
        ArgumentNullException.ThrowIfNull(associations);

        foreach (var cidr in cidrs)
        {
            _parentOf[cidr.Id] = cidr.Parent;
        }

        foreach (var (id, parent) in _parentOf)
        {
            if (parent is { } p && _parentOf.ContainsKey(p))
            {
                Add(_childrenOf, p, id);
            }
        }

        foreach (var association in associations)
        {
            Add(_associatedWith, association.CidrId1, association.CidrId2);
            Add(_associatedWith, association.CidrId2, association.CidrId1);
        }

        foreach (var peer in peers)
        {
            _peersById[peer.Id] = peer;
            if (!peer.IsDisabled && peer.IsRedeemed)
            {
                if (!_visiblePeersByCidr.TryGetValue(peer.CidrId, out var list))
                {
                    _visiblePeersByCidr[peer.CidrId] = list = [];
                }

                list.Add(peer);
            }
        }
    }

    /// <summary>The peers that peer <paramref name="peerId"/> may see (itself included when enabled and redeemed), by id.</summary>
    /// <exception cref="NotFoundException">No peer has this id.</exception>
    public IReadOnlyList<Peer> GetVisiblePeers(long peerId)
    {
        var peer = _peersById.GetValueOrDefault(peerId) ?? throw new NotFoundException($"Peer {peerId} does not exist.");
        return GetVisiblePeersFromCidr(peer.CidrId);
    }

    /// <summary>The enabled, redeemed peers visible from CIDR <paramref name="cidrId"/>, by id.</summary>
    public IReadOnlyList<Peer> GetVisiblePeersFromCidr(long cidrId)
    {
        var result = new List<Peer>();
        foreach (long id in GetVisibleCidrIds(cidrId))
        {
            if (_visiblePeersByCidr.TryGetValue(id, out var list))
            {
                result.AddRange(list);
            }
        }

        result.Sort(static (a, b) => a.Id.CompareTo(b.Id));
        return result;
    }

    /// <summary>True when peer <paramref name="viewerId"/> may see peer <paramref name="targetId"/>.</summary>
    public bool CanSee(long viewerId, long targetId)
    {
        if (!_peersById.TryGetValue(viewerId, out var viewer) || !_peersById.TryGetValue(targetId, out var target)
            || target.IsDisabled || !target.IsRedeemed)
        {
            return false;
        }

        return GetVisibleCidrIds(viewer.CidrId).Contains(target.CidrId);
    }

    /// <summary>The ids of the CIDRs whose peers CIDR <paramref name="cidrId"/> may see (the SQL's associated_subcidrs).</summary>
    public IReadOnlySet<long> GetVisibleCidrIds(long cidrId)
    {
        var seeds = new List<long> { cidrId, Cidr.InfraId };

        // The CIDR and its ancestors (a cycle cannot loop: each id is visited once).
        var chain = new HashSet<long>();
        long? current = _parentOf.ContainsKey(cidrId) ? cidrId : null;
        while (current is { } id && chain.Add(id))
        {
            if (_associatedWith.TryGetValue(id, out var others))
            {
                seeds.AddRange(others);
            }

            current = _parentOf.GetValueOrDefault(id);
        }

        // Close over descendants.
        var visible = new HashSet<long>();
        var stack = new Stack<long>(seeds);
        while (stack.Count > 0)
        {
            long id = stack.Pop();
            if (!visible.Add(id))
            {
                continue;
            }

            if (_childrenOf.TryGetValue(id, out var children))
            {
                foreach (long child in children)
                {
                    stack.Push(child);
                }
            }
        }

        return visible;
    }

    private static void Add(Dictionary<long, List<long>> map, long key, long value)
    {
        if (!map.TryGetValue(key, out var list))
        {
            map[key] = list = [];
        }

        list.Add(value);
    }
}
