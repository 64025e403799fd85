using System.Net.NetworkInformation;
using Innernet.Netlink.Interop;

namespace Innernet.Netlink.Route;

/// <summary>A network interface as reported by <c>RTM_NEWLINK</c>. New properties may be added in later versions.</summary>
public sealed class LinkInfo
{
    internal LinkInfo()
    {
    }

    /// <summary>The interface index (<c>ifi_index</c>).</summary>
    public required int Index { get; init; }

    /// <summary>The interface name (<c>IFLA_IFNAME</c>).</summary>
    public required string Name { get; init; }

    /// <summary>The link kind (<c>IFLA_INFO_KIND</c>: <c>wireguard</c>, <c>veth</c>…), null for physical and loopback links.</summary>
    public string? Kind { get; init; }

    /// <summary>The device flags as the kernel reports them (<c>ifi_flags</c>: the <c>IFF_*</c> bits of <c>linux/if.h</c>).</summary>
    public uint Flags { get; init; }

    /// <summary>The MTU in bytes (<c>IFLA_MTU</c>).</summary>
    public int Mtu { get; init; }

    /// <summary>The RFC 2863 operational state (<c>IFLA_OPERSTATE</c>); <see cref="OperationalStatus.Unknown"/> if unreported.</summary>
    public OperationalStatus OperationalStatus { get; init; } = OperationalStatus.Unknown;

    /// <summary>Administratively up (<c>IFF_UP</c>).</summary>
    public bool IsUp => (Flags & LinuxIfLink.IFF_UP) != 0;

    /// <summary>The loopback device (<c>IFF_LOOPBACK</c>).</summary>
    public bool IsLoopback => (Flags & LinuxIfLink.IFF_LOOPBACK) != 0;

    /// <summary>A kernel WireGuard link (<c>IFLA_INFO_KIND</c> = <c>wireguard</c>).</summary>
    public bool IsWireGuard => Kind == LinuxIfLink.WireGuardKind;

    /// <summary>Maps the kernel's <c>IF_OPER_*</c> value to the BCL's enum (the mapping .NET itself uses on Linux).</summary>
    internal static OperationalStatus FromKernel(byte operState) => operState switch
    {
        LinuxIfLink.IF_OPER_NOTPRESENT => OperationalStatus.NotPresent,
        LinuxIfLink.IF_OPER_DOWN => OperationalStatus.Down,
        LinuxIfLink.IF_OPER_LOWERLAYERDOWN => OperationalStatus.LowerLayerDown,
        LinuxIfLink.IF_OPER_TESTING => OperationalStatus.Testing,
        LinuxIfLink.IF_OPER_DORMANT => OperationalStatus.Dormant,
        LinuxIfLink.IF_OPER_UP => OperationalStatus.Up,
        _ => OperationalStatus.Unknown,
    };

    /// <summary><c>name (index)</c>, for messages and test output.</summary>
    public override string ToString() => $"{Name} ({Index})";
}
