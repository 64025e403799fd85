using Innernet.Core.Model;

namespace Innernet.Core.Cidrs;

/// <summary>Server-side checks for creating and deleting CIDRs.</summary>
public static class CidrRules
{
    /// <summary>
    /// Checks that <paramref name="candidate"/> may be added: its name is a unique hostname, its range is
    /// unique, it has a parent (only the very first CIDR, the root, may have none), the parent exists, has no
    /// peers attached directly and contains the whole new range, the parent is the closest enclosing CIDR
    /// (the right place in the tree), and no sibling overlaps it. (Host bits cannot occur: an
    /// <see cref="IPNetwork"/> never has them; the JSON and CLI parsers reject them.)
    /// </summary>
    /// <exception cref="ValidationException">A rule is broken; the message says which and why.</exception>
    public static void ValidateCreate(IReadOnlyCollection<Cidr> existing, IReadOnlyCollection<Peer> peers, CidrContents candidate)
    {
        ArgumentNullException.ThrowIfNull(existing);
        ArgumentNullException.ThrowIfNull(peers);
        ArgumentNullException.ThrowIfNull(candidate);

        Hostname.Validate(candidate.Name, "CIDR name");
        var network = candidate.Network;

        if (existing.FirstOrDefault(c => c.Name == candidate.Name) is { } sameName)
        {
            throw new ValidationException($"A CIDR named '{candidate.Name}' already exists ({sameName.Network}).");
        }

        if (existing.FirstOrDefault(c => c.Network == network) is { } sameRange)
        {
            throw new ValidationException($"CIDR {network} already exists (named '{sameRange.Name}').");
        }

        if (candidate.Parent is not { } parentId)
        {
            if (existing.Count > 0)
            {
                throw new ValidationException($"CIDR '{candidate.Name}' needs a parent; only the root CIDR has none.");
            }

            return;
        }

        var parent = existing.FirstOrDefault(c => c.Id == parentId)
            ?? throw new ValidationException($"Parent CIDR {parentId} of '{candidate.Name}' does not exist.");

        int attached = peers.Count(p => p.CidrId == parentId);
        if (attached > 0)
        {
            throw new ValidationException(
                $"Parent CIDR {parent} has {attached} peer(s) attached directly; a CIDR with peers cannot have child CIDRs.");
        }

        if (!IPMath.Contains(parent.Network, network))
        {
            var root = existing.Where(c => c.Parent is null).MinBy(c => c.Network.PrefixLength);
            throw root is not null && !IPMath.Contains(root.Network, network)
                ? new ValidationException($"CIDR {network} is outside the network's root CIDR {root}.")
                : new ValidationException($"CIDR {network} is not inside its parent {parent}.");
        }

        var closest = existing.Where(c => IPMath.Contains(c.Network, network)).MaxBy(c => c.Network.PrefixLength);
        if (closest is not null && closest.Id != parentId)
        {
            throw new ValidationException(
                $"CIDR {network} belongs under {closest}, the closest CIDR that contains it, not under {parent}.");
        }

        if (existing.FirstOrDefault(c => c.Parent == parentId && IPMath.Overlaps(c.Network, network)) is { } sibling)
        {
            throw new ValidationException($"CIDR {network} overlaps its sibling {sibling}.");
        }
    }

    /// <summary>
    /// Checks that the CIDR may be deleted: it exists, is neither the root nor the infra CIDR, and no peer
    /// (disabled ones included; peers are never deleted), child CIDR or association refers to it.
    /// </summary>
    /// <exception cref="NotFoundException">No CIDR has this id.</exception>
    /// <exception cref="ValidationException">Something still refers to the CIDR; the message says what.</exception>
    public static void ValidateDelete(
        IReadOnlyCollection<Cidr> existing,
        IReadOnlyCollection<Peer> peers,
        IReadOnlyCollection<Association> associations,
        long cidrId)
    {
        ArgumentNullException.ThrowIfNull(existing);
        ArgumentNullException.ThrowIfNull(peers);
        ArgumentNullException.ThrowIfNull(associations);

        var cidr = existing.FirstOrDefault(c => c.Id == cidrId) ?? throw new NotFoundException($"CIDR {cidrId} does not exist.");
        if (cidr.Parent is null || cidrId == Cidr.RootId)
        {
            throw new ValidationException($"CIDR {cidr} is the network's root and cannot be deleted.");
        }

        if (cidrId == Cidr.InfraId)
        {
            throw new ValidationException($"CIDR {cidr} holds the innernet server and cannot be deleted.");
        }

        var attached = peers.Where(p => p.CidrId == cidrId).Select(p => p.Name).ToList();
        if (attached.Count > 0)
        {
            throw new ValidationException(
                $"CIDR {cidr} still has {attached.Count} peer(s) ({Sample(attached)}); "
                + "peers are only ever disabled, so it cannot be deleted.");
        }

        var children = existing.Where(c => c.Parent == cidrId).Select(c => c.Name).ToList();
        if (children.Count > 0)
        {
            throw new ValidationException($"CIDR {cidr} still has child CIDR(s) ({Sample(children)}); delete them first.");
        }

        int links = associations.Count(a => a.CidrId1 == cidrId || a.CidrId2 == cidrId);
        if (links > 0)
        {
            throw new ValidationException($"CIDR {cidr} is used by {links} association(s); delete them first.");
        }
    }

    private static string Sample(List<string> names)
    {
        const int shown = 5;
        return names.Count <= shown ? string.Join(", ", names) : string.Join(", ", names.Take(shown)) + ", …";
    }
}
