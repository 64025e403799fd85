using System.Net.Sockets;
using Innernet.Netlink.Interop;

namespace Innernet.Netlink.Route;

/// <summary>
/// Local addresses a peer elsewhere could reach, as a pure function: links that are not loopback and whose operstate
/// is UP; addresses of scope universe that are IPv4 on one of those links, or IPv6 on any link; of IPv6 only global
/// unicast survives (no multicast, loopback, unspecified, 2001:db8::/32, fe80::/10, fc00::/7). All of them, in dump
/// order: how many to use is the caller's policy.
/// </summary>
internal static class LocalAddresses
{
    private static readonly IPNetwork Documentation = IPNetwork.Parse("2001:db8::/32");
    private static readonly IPNetwork LinkLocal = IPNetwork.Parse("fe80::/10");
    private static readonly IPNetwork UniqueLocal = IPNetwork.Parse("fc00::/7");
    private static readonly IPNetwork Multicast = IPNetwork.Parse("ff00::/8");

    public static List<IPAddress> Select(IEnumerable<LinkInfo> links, IEnumerable<AddressEntry> addresses)
    {
        var usable = new HashSet<int>();
        foreach (LinkInfo link in links)
        {
            if (!link.IsLoopback && link.OperationalStatus == System.Net.NetworkInformation.OperationalStatus.Up)
            {
                usable.Add(link.Index);
            }
        }

        var result = new List<IPAddress>();
        foreach (AddressEntry entry in addresses)
        {
            if (entry.Scope != LinuxRtnetlink.RT_SCOPE_UNIVERSE)
            {
                continue;
            }

            IPAddress address = entry.Address.Address;
            bool keep = address.AddressFamily == AddressFamily.InterNetwork
                ? usable.Contains(entry.Index)
                : IsGlobalUnicastV6(address);
            if (keep)
            {
                result.Add(address);
            }
        }

        return result;
    }

    public static bool IsGlobalUnicastV6(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6
        && !address.Equals(IPAddress.IPv6Any)
        && !address.Equals(IPAddress.IPv6Loopback)
        && !Multicast.Contains(address)
        && !Documentation.Contains(address)
        && !LinkLocal.Contains(address)
        && !UniqueLocal.Contains(address);
}
