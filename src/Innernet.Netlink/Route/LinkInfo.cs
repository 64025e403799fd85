using Innernet.Netlink.Interop;

namespace Innernet.Netlink.Route;

/// <summary>A network interface as reported by <c>RTM_NEWLINK</c>.</summary>
/// <param name="Index">The interface index (<c>ifi_index</c>).</param>
/// <param name="Name">The interface name (<c>IFLA_IFNAME</c>).</param>
/// <param name="Kind">The link kind (<c>IFLA_INFO_KIND</c>, e.g. <c>wireguard</c>, <c>veth</c>), or null for physical/loopback links.</param>
/// <param name="Flags">The device flags (<c>ifi_flags</c>, <c>IFF_*</c>).</param>
/// <param name="Mtu">The MTU (<c>IFLA_MTU</c>).</param>
/// <param name="OperState">The RFC 2863 operational state (<c>IFLA_OPERSTATE</c>): 6 = up, 2 = down, 0 = unknown.</param>
public sealed record LinkInfo(int Index, string Name, string? Kind, uint Flags, int Mtu, byte OperState)
{
    /// <summary>Administratively up (<c>IFF_UP</c>).</summary>
    public bool IsUp => (Flags & LinuxIfLink.IFF_UP) != 0;

    /// <summary>The loopback device (<c>IFF_LOOPBACK</c>).</summary>
    public bool IsLoopback => (Flags & LinuxIfLink.IFF_LOOPBACK) != 0;

    /// <summary>Operationally up (<c>IF_OPER_UP</c>).</summary>
    public bool IsOperationallyUp => OperState == LinuxIfLink.IF_OPER_UP;

    /// <summary>A kernel WireGuard link (<c>IFLA_INFO_KIND</c> = <c>wireguard</c>).</summary>
    public bool IsWireGuard => Kind == LinuxIfLink.WireGuardKind;
}
