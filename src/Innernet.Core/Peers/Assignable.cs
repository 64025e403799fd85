using System.Net.Sockets;
using Innernet.Core.Cidrs;

namespace Innernet.Core.Peers;

/// <summary>innernet's <c>is_assignable</c>: which addresses of a CIDR may be given to a peer.</summary>
internal static class Assignable
{
    private const int Ipv4PointToPointPrefix = 31;
    private const int Ipv6PointToPointPrefix = 127;

    /// <summary>
    /// True when <paramref name="address"/> is inside <paramref name="network"/> and is neither the IPv4
    /// network or broadcast address (unless /31 or longer) nor the IPv6 subnet-router anycast address
    /// (unless /127 or longer).
    /// </summary>
    public static bool IsAssignable(IPAddress address, IPNetwork network)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != network.BaseAddress.AddressFamily || !network.Contains(address))
        {
            return false;
        }

        var value = IPMath.ToNumber(address);
        return network.BaseAddress.AddressFamily == AddressFamily.InterNetwork
            ? network.PrefixLength >= Ipv4PointToPointPrefix || (value != IPMath.First(network) && value != IPMath.Last(network))
            : network.PrefixLength >= Ipv6PointToPointPrefix || value != IPMath.First(network);
    }

    /// <summary>The first and last assignable addresses as numbers (every CIDR has at least one).</summary>
    internal static (UInt128 First, UInt128 Last) Range(IPNetwork network)
    {
        UInt128 first = IPMath.First(network);
        UInt128 last = IPMath.Last(network);
        if (network.BaseAddress.AddressFamily == AddressFamily.InterNetwork)
        {
            return network.PrefixLength >= Ipv4PointToPointPrefix ? (first, last) : (first + 1, last - 1);
        }

        return network.PrefixLength >= Ipv6PointToPointPrefix ? (first, last) : (first + 1, last);
    }
}
