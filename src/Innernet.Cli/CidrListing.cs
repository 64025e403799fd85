using System.Globalization;
using System.Text;
using Innernet.Core.Cidrs;
using Innernet.Core.Model;

namespace Innernet.Cli;

/// <summary>
/// The CIDRs as both CLIs print them: one <c>network name</c> line each, flat in address order or as a tree (two spaces a
/// level, the children of each CIDR in address order); <c>show --tree</c> hangs the peers under their CIDR.
/// </summary>
internal static class CidrListing
{
    private const string IndentStep = "  ";

    /// <summary><c>list-cidrs</c>: flat, or with <paramref name="asTree"/> the tree (flat also when there is no CIDR).</summary>
    public static string Text(IReadOnlyList<Cidr> cidrs, bool asTree)
    {
        ArgumentNullException.ThrowIfNull(cidrs);
        var text = new StringBuilder();
        if (asTree)
        {
            AppendTree(text, cidrs, depth: 0);
            return text.ToString();
        }

        foreach (var cidr in InAddressOrder(cidrs))
        {
            AppendLine(text, cidr, string.Empty);
        }

        return text.ToString();
    }

    /// <summary>
    /// Appends the tree from the root, its lines indented <paramref name="depth"/> levels and more; after each CIDR's line,
    /// <paramref name="under"/> (if any) appends what belongs to it, given the CIDR and the indent of its children.
    /// </summary>
    public static void AppendTree(
        StringBuilder text, IReadOnlyList<Cidr> cidrs, int depth, Action<StringBuilder, Cidr, string>? under = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        Walk(cidrs, depth, (level, cidr) =>
        {
            string indent = Indent(level);
            AppendLine(text, cidr, indent);
            under?.Invoke(text, cidr, indent + IndentStep);
            return level + 1;
        });
    }

    /// <summary>
    /// Visits the tree depth first from the root, each CIDR before its children and the children in address order:
    /// <paramref name="visit"/> gets its parent's node (<paramref name="root"/> for the root CIDR) and returns the CIDR's own.
    /// Nothing is visited when there is no CIDR.
    /// </summary>
    public static void Walk<TNode>(IReadOnlyList<Cidr> cidrs, TNode root, Func<TNode, Cidr, TNode> visit)
    {
        ArgumentNullException.ThrowIfNull(cidrs);
        ArgumentNullException.ThrowIfNull(visit);
        if (cidrs.Count == 0)
        {
            return;
        }

        var tree = new CidrTree(cidrs);
        void Visit(TNode parent, Cidr cidr)
        {
            var node = visit(parent, cidr);
            foreach (var child in InAddressOrder(tree.GetChildren(cidr.Id)))
            {
                Visit(node, child);
            }
        }

        Visit(root, tree.Root);
    }

    /// <summary><c>list-associations</c>: <c>id: name1 &lt;=&gt; name2</c> a line, by id (a CIDR's id when its name is unknown).</summary>
    public static string Associations(IEnumerable<Association> associations, IReadOnlyList<Cidr> cidrs)
    {
        ArgumentNullException.ThrowIfNull(associations);
        ArgumentNullException.ThrowIfNull(cidrs);
        var names = cidrs.ToDictionary(c => c.Id, c => c.Name);
        string Name(long id) => names.TryGetValue(id, out string? name) ? name : id.ToString(CultureInfo.InvariantCulture);
        var text = new StringBuilder();
        foreach (var association in associations.OrderBy(a => a.Id))
        {
            text.Append(association.Id.ToString(CultureInfo.InvariantCulture)).Append(": ").Append(Name(association.CidrId1))
                .Append(" <=> ").Append(Name(association.CidrId2)).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>By network address (IPv4 first), then by prefix length.</summary>
    public static IEnumerable<Cidr> InAddressOrder(IEnumerable<Cidr> cidrs)
        => cidrs.OrderBy(c => c.Network.BaseAddress, IPAddressOrder.Instance).ThenBy(c => c.Network.PrefixLength);

    private static string Indent(int depth) => string.Concat(Enumerable.Repeat(IndentStep, depth));

    private static void AppendLine(StringBuilder text, Cidr cidr, string indent)
        => text.Append(indent).Append(cidr.Network).Append(' ').Append(cidr.Name).Append('\n');
}
