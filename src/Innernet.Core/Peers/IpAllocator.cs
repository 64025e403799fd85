using Innernet.Core.Cidrs;
using Innernet.Core.Model;

namespace Innernet.Core.Peers;

/// <summary>Picks the IP for a new peer: the first assignable address of a CIDR that no peer uses.</summary>
public static class IpAllocator
{
    /// <summary>
    /// The lowest assignable address of <paramref name="cidr"/> not in <paramref name="used"/> (pass every
    /// peer's IP, disabled peers included, so IPs are never reused). O(u log u) in the used addresses inside
    /// the CIDR, whatever its size.
    /// </summary>
    /// <exception cref="ValidationException">Every assignable address is taken ("CIDR x is full").</exception>
    public static IPAddress FirstFree(Cidr cidr, IEnumerable<IPAddress> used)
    {
        ArgumentNullException.ThrowIfNull(cidr);
        ArgumentNullException.ThrowIfNull(used);

        var network = cidr.Network;
        (UInt128 first, UInt128 last) = Assignable.Range(network);

        var taken = used
            .Where(ip => ip.AddressFamily == network.BaseAddress.AddressFamily && network.Contains(ip))
            .Select(IPMath.ToNumber)
            .Where(n => n >= first && n <= last)
            .Distinct()
            .Order()
            .ToList();

        UInt128 candidate = first;
        foreach (var value in taken)
        {
            if (value != candidate)
            {
                break;
            }

            if (candidate == last)
            {
                throw Full(cidr);
            }

            candidate++;
        }

        return IPMath.FromNumber(candidate, network.BaseAddress.AddressFamily);
    }

    private static ValidationException Full(Cidr cidr)
        => new($"CIDR {cidr.Name} ({cidr.Network}) is full: it has no free assignable IP address.");
}
