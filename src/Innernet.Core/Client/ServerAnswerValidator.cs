using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using Innernet.Core.Config;
using Innernet.Core.Model;
using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Client;

/// <summary>
/// The client's rules for a <c>GET /v1/user/state</c> answer, checked before any of it is applied. The server
/// is untrusted input: a compromised one must not reach beyond the overlay (no names that inject hosts-file
/// lines, no allowed IPs outside the network) and must not take over the tunnel to itself (the server's IP
/// stays with the server's configured key, the server's key stays on the server's IP).
/// </summary>
public static class ServerAnswerValidator
{
    /// <summary>Checks every peer and every CIDR of <paramref name="state"/> against <paramref name="config"/>.</summary>
    /// <exception cref="ServerAnswerException">A rule is broken; the message names the peer or CIDR and the rule.</exception>
    public static void Validate(State state, InterfaceConfig config)
    {
        ArgumentNullException.ThrowIfNull(state);
        ValidateChange(state.Peers, [], HeldPeers.None, config);
        ValidateCidrs(state.Cidrs, config);
    }

    /// <summary>
    /// Checks a CIDR list as a whole (the one a fetch answers, or the one a live difference carries when the tree
    /// changed) against the network of <paramref name="config"/>; see the rules below.
    /// </summary>
    /// <exception cref="ServerAnswerException">A rule is broken; the message names the CIDR and the rule.</exception>
    public static void ValidateCidrs(IReadOnlyList<Cidr> cidrs, InterfaceConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        ValidateCidrs(cidrs, config.Interface.Address.Network);
    }

    /// <summary>
    /// The CIDR tree: each CIDR of the network's family, ids unique (host bits are refused when the answer is parsed); the one without a
    /// parent
    /// is the network itself; every other lies strictly inside its listed parent, and no two children of one parent
    /// overlap (what the server refuses when a CIDR is created). So the tree an admin sees is the network's, whole.
    /// </summary>
    private static void ValidateCidrs(IReadOnlyList<Cidr> cidrs, IPNetwork network)
    {
        ArgumentNullException.ThrowIfNull(cidrs);
        var byId = new Dictionary<long, Cidr>(cidrs.Count);
        foreach (var cidr in cidrs)
        {
            if (cidr is null)
            {
                throw Refused("the answer contains a null CIDR");
            }

            var range = cidr.Network;
            if (range.BaseAddress.AddressFamily != network.BaseAddress.AddressFamily)
            {
                throw Refused($"CIDR {Describe(cidr)}: it is of another address family than the network {network}");
            }

            if (!byId.TryAdd(cidr.Id, cidr))
            {
                throw Refused($"CIDR {Describe(cidr)}: its id {cidr.Id} is also listed for CIDR {Describe(byId[cidr.Id])}");
            }
        }

        foreach (var cidr in cidrs)
        {
            if (cidr.Parent is not { } parentId)
            {
                if (!cidr.Network.Equals(network))
                {
                    throw Refused($"CIDR {Describe(cidr)}: it has no parent but is not the network {network}");
                }

                continue;
            }

            if (!byId.TryGetValue(parentId, out var parent))
            {
                throw Refused($"CIDR {Describe(cidr)}: its parent {parentId} is not in the answer");
            }

            if (parent.Network.PrefixLength >= cidr.Network.PrefixLength || !parent.Network.Contains(cidr.Network.BaseAddress))
            {
                throw Refused($"CIDR {Describe(cidr)}: it is not inside its parent {Describe(parent)}");
            }
        }

        foreach (var siblings in cidrs.Where(c => c.Parent is not null).GroupBy(c => c.Parent))
        {
            var ordered = siblings.OrderBy(c => c.Network.BaseAddress.GetAddressBytes(), ByteOrder.Instance).ToList();
            for (int i = 1; i < ordered.Count; i++)
            {
                // Sorted by start, two prefixes overlap exactly when the earlier one contains the later one's start.
                if (ordered[i - 1].Network.Contains(ordered[i].Network.BaseAddress))
                {
                    throw Refused($"CIDR {Describe(ordered[i])}: it overlaps its sibling {Describe(ordered[i - 1])}");
                }
            }
        }
    }

    private static string Describe(Cidr cidr)
        => $"'{Printable(Shortened(cidr.Name)) ?? "(null)"}' ({cidr.Network.BaseAddress}/{cidr.Network.PrefixLength})";

    /// <summary>Addresses of one family compared as unsigned big-endian numbers.</summary>
    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }

    /// <summary>
    /// Checks a difference to a view the client holds (already checked): every peer of <paramref name="changed"/>
    /// by itself, and the view after the change (the held peers, minus <paramref name="removed"/>, with the changed
    /// ones replaced by id) for IPs and keys listed twice. Costs O(changed), not O(view). A whole answer is a
    /// change to an empty view, so both paths share each rule.
    /// </summary>
    /// <param name="changed">The added or changed peers, each complete.</param>
    /// <param name="removed">Ids of peers leaving the view.</param>
    /// <param name="held">The view the change applies to.</param>
    /// <param name="config">The network's config.</param>
    /// <exception cref="ServerAnswerException">A rule is broken; the message names the peer and the rule.</exception>
    public static void ValidateChange(
        IReadOnlyCollection<Peer> changed, IReadOnlyCollection<long> removed, HeldPeers held, InterfaceConfig config)
    {
        ArgumentNullException.ThrowIfNull(changed);
        ArgumentNullException.ThrowIfNull(removed);
        ArgumentNullException.ThrowIfNull(held);
        ArgumentNullException.ThrowIfNull(config);
        var network = config.Interface.Address.Network;
        var serverIp = config.Server.InternalEndpoint.Address;
        var serverKey = config.Server.PublicKey;
        var byId = new Dictionary<long, Peer>(changed.Count);
        var byIp = new Dictionary<IPAddress, Peer>(changed.Count);
        var byKey = new Dictionary<WireGuardKey, Peer>(changed.Count);
        foreach (var peer in changed)
        {
            if (peer is null)
            {
                throw Refused("the answer contains a null peer");
            }

            if (NameProblem(peer.Name) is { } nameProblem)
            {
                throw Refused($"peer {Describe(peer)}: {nameProblem}");
            }

            if (peer.Ip.AddressFamily != network.BaseAddress.AddressFamily)
            {
                throw Refused($"peer {Describe(peer)}: its IP is of another address family than the network {network}");
            }

            if (!network.Contains(peer.Ip))
            {
                throw Refused($"peer {Describe(peer)}: its IP is outside the network {network}");
            }

            if (!byId.TryAdd(peer.Id, peer))
            {
                throw Refused($"peer {Describe(peer)}: its id {peer.Id} is also listed for peer {Describe(byId[peer.Id])}");
            }

            if (!byIp.TryAdd(peer.Ip, peer))
            {
                throw Refused($"peer {Describe(peer)}: its IP is also listed for peer {Describe(byIp[peer.Ip])}");
            }

            if (!byKey.TryAdd(peer.PublicKey, peer))
            {
                throw Refused($"peer {Describe(peer)}: its public key is also listed for peer {Describe(byKey[peer.PublicKey])}");
            }

            if (peer.Ip.Equals(serverIp) && peer.PublicKey != serverKey)
            {
                throw Refused($"peer {Describe(peer)}: it has the server's IP but not the server key from the config");
            }

            if (peer.PublicKey == serverKey && !peer.Ip.Equals(serverIp))
            {
                throw Refused($"peer {Describe(peer)}: it has the server key from the config but not the server's IP {serverIp}");
            }
        }

        if (held.Count == 0)
        {
            return;
        }

        // A held peer keeps its IP and key after the change unless it is removed or replaced (by id) by the change.
        var leaving = removed as IReadOnlySet<long> ?? removed.ToHashSet();
        foreach (var peer in changed)
        {
            if (held.ByIp(peer.Ip) is { } other && other.Id != peer.Id && !leaving.Contains(other.Id) && !byId.ContainsKey(other.Id))
            {
                throw Refused($"peer {Describe(peer)}: its IP is also held for peer {Describe(other)}");
            }

            if (held.ByKey(peer.PublicKey) is { } owner && owner.Id != peer.Id
                && !leaving.Contains(owner.Id) && !byId.ContainsKey(owner.Id))
            {
                throw Refused($"peer {Describe(peer)}: its public key is also held for peer {Describe(owner)}");
            }
        }
    }

    private static string? NameProblem(string? name)
        => name is { Length: >= Hostname.MaxLengthExclusive }
            ? $"its name is {name.Length} characters long; a hostname must be shorter than {Hostname.MaxLengthExclusive}"
            : Printable(Hostname.Problem(name, "peer name"));

    private static ServerAnswerException Refused(string rule)
        => new($"Refusing the server's answer, nothing was applied: {rule}.");

    private static string Describe(Peer peer) => $"'{Printable(Shortened(peer.Name)) ?? "(null)"}' ({peer.Ip})";

    // A hostile name may be megabytes long; messages quote its start only.
    private static string? Shortened(string? name)
        => name is { Length: > Hostname.MaxLengthExclusive } ? name[..Hostname.MaxLengthExclusive] + "..." : name;

    /// <summary>The text with control characters escaped, so a hostile name cannot forge lines in a log or terminal.</summary>
    [return: NotNullIfNotNull(nameof(text))]
    private static string? Printable(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var builder = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            if (char.IsControl(c))
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
