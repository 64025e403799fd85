using Innernet.Core.Model;
using Innernet.Netlink.Route;

namespace Innernet.Core.Cidrs;

/// <summary>
/// The CIDR hierarchy, indexed by id. Built once from a CIDR list; lookups are O(1), walks are linear in
/// what they return. Unknown ids throw <see cref="NotFoundException"/>; a parent cycle throws
/// <see cref="ValidationException"/>.
/// </summary>
public sealed class CidrTree
{
    private readonly Dictionary<long, Cidr> _byId = [];
    private readonly Dictionary<long, List<Cidr>> _children = [];
    private readonly Cidr? _root;

    /// <summary>Indexes <paramref name="cidrs"/>.</summary>
    /// <exception cref="ValidationException">Two CIDRs share an id, or the parent links form a cycle.</exception>
    public CidrTree(IEnumerable<Cidr> cidrs)
    {
        ArgumentNullException.ThrowIfNull(cidrs);
        foreach (var cidr in cidrs)
        {
            if (!_byId.TryAdd(cidr.Id, cidr))
            {
                throw new ValidationException($"Two CIDRs have the id {cidr.Id}.");
            }
        }

        foreach (var cidr in _byId.Values.OrderBy(c => c.Id))
        {
            if (cidr.Parent is { } parent && _byId.ContainsKey(parent))
            {
                if (!_children.TryGetValue(parent, out var list))
                {
                    _children[parent] = list = [];
                }

                list.Add(cidr);
            }
        }

        foreach (var cidr in _byId.Values)
        {
            _ = GetAncestors(cidr.Id);
        }

        All = [.. _byId.Values.OrderBy(c => c.Id)];
        _root = All.Where(c => c.Parent is null || !_byId.ContainsKey(c.Parent.Value))
            .OrderBy(c => c.Network.PrefixLength).ThenBy(c => c.Id)
            .FirstOrDefault();
    }

    /// <summary>Every CIDR, by id.</summary>
    public IReadOnlyList<Cidr> All { get; }

    /// <summary>The number of CIDRs.</summary>
    public int Count => _byId.Count;

    /// <summary>
    /// The root: the CIDR without a parent with the shortest prefix (innernet's <c>CidrTree::root</c>).
    /// </summary>
    /// <exception cref="NotFoundException">There are no CIDRs.</exception>
    public Cidr Root => _root ?? throw new NotFoundException("The network has no CIDRs, so it has no root CIDR.");

    /// <summary>True when a CIDR has this id.</summary>
    public bool Contains(long id) => _byId.ContainsKey(id);

    /// <summary>The CIDR with this id, or null.</summary>
    public Cidr? Find(long id) => _byId.GetValueOrDefault(id);

    /// <summary>The CIDR with this id.</summary>
    /// <exception cref="NotFoundException">No CIDR has this id.</exception>
    public Cidr Get(long id) => _byId.TryGetValue(id, out var cidr) ? cidr : throw Missing(id);

    /// <summary>The direct children, by id.</summary>
    /// <exception cref="NotFoundException">No CIDR has this id.</exception>
    public IReadOnlyList<Cidr> GetChildren(long id)
    {
        _ = Get(id);
        return _children.TryGetValue(id, out var list) ? list : [];
    }

    /// <summary>True when the CIDR has no children.</summary>
    /// <exception cref="NotFoundException">No CIDR has this id.</exception>
    public bool IsLeaf(long id) => GetChildren(id).Count == 0;

    /// <summary>The parent, grandparent, … up to the root (the CIDR itself excluded).</summary>
    /// <exception cref="NotFoundException">No CIDR has this id.</exception>
    /// <exception cref="ValidationException">The parent links form a cycle.</exception>
    public IReadOnlyList<Cidr> GetAncestors(long id)
    {
        var current = Get(id);
        var result = new List<Cidr>();
        var seen = new HashSet<long> { id };
        while (current.Parent is { } parentId && _byId.TryGetValue(parentId, out var parent))
        {
            if (!seen.Add(parentId))
            {
                throw new ValidationException($"The CIDR parent links form a cycle through CIDR {parentId}.");
            }

            result.Add(parent);
            current = parent;
        }

        return result;
    }

    /// <summary>Every CIDR below this one (itself excluded), depth first.</summary>
    /// <exception cref="NotFoundException">No CIDR has this id.</exception>
    public IReadOnlyList<Cidr> GetDescendants(long id)
    {
        _ = Get(id);
        var result = new List<Cidr>();
        var stack = new Stack<Cidr>(GetChildren(id).Reverse());
        while (stack.Count > 0)
        {
            var cidr = stack.Pop();
            result.Add(cidr);
            if (_children.TryGetValue(cidr.Id, out var children))
            {
                for (int i = children.Count - 1; i >= 0; i--)
                {
                    stack.Push(children[i]);
                }
            }
        }

        return result;
    }

    /// <summary>
    /// A peer's interface address: its IP with the ROOT CIDR's prefix length (innernet's
    /// <c>CidrTree::ip_net_for</c>), e.g. 10.42.1.2/16.
    /// </summary>
    /// <exception cref="NotFoundException">There are no CIDRs.</exception>
    /// <exception cref="ValidationException">The IP is not inside the root CIDR.</exception>
    public InterfaceAddress GetInterfaceAddress(IPAddress peerIp)
    {
        ArgumentNullException.ThrowIfNull(peerIp);
        var root = Root;
        return root.Network.Contains(peerIp)
            ? new InterfaceAddress(peerIp, root.Network.PrefixLength)
            : throw new ValidationException($"IP {peerIp} is outside the root CIDR {root}.");
    }

    private static NotFoundException Missing(long id) => new($"CIDR {id} does not exist.");
}
