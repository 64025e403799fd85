namespace Innernet.Netlink.Interop;

/// <summary><c>linux/if_link.h</c> and <c>linux/if.h</c>: link attributes, link-info attributes, device flags, operstates.</summary>
internal static class LinuxIfLink
{
    // Link attributes (anonymous enum IFLA_*).
    public const ushort IFLA_UNSPEC = 0;
    public const ushort IFLA_ADDRESS = 1;
    public const ushort IFLA_BROADCAST = 2;
    public const ushort IFLA_IFNAME = 3;
    public const ushort IFLA_MTU = 4;
    public const ushort IFLA_LINK = 5;
    public const ushort IFLA_MASTER = 10;
    public const ushort IFLA_TXQLEN = 13;
    public const ushort IFLA_OPERSTATE = 16;
    public const ushort IFLA_LINKINFO = 18;
    public const ushort IFLA_NET_NS_PID = 19;
    public const ushort IFLA_NET_NS_FD = 28;
    public const ushort IFLA_EXT_MASK = 29;

    // Link-info attributes (anonymous enum IFLA_INFO_*).
    public const ushort IFLA_INFO_UNSPEC = 0;
    public const ushort IFLA_INFO_KIND = 1;
    public const ushort IFLA_INFO_DATA = 2;

    // Device flags (linux/if.h, enum net_device_flags).
    public const uint IFF_UP = 0x1;
    public const uint IFF_LOOPBACK = 0x8;
    public const uint IFF_POINTOPOINT = 0x10;
    public const uint IFF_RUNNING = 0x40;
    public const uint IFF_NOARP = 0x80;
    public const uint IFF_MULTICAST = 0x1000;
    public const uint IFF_LOWER_UP = 0x10000;

    // Operational states (linux/if.h, IF_OPER_*).
    public const byte IF_OPER_UNKNOWN = 0;
    public const byte IF_OPER_NOTPRESENT = 1;
    public const byte IF_OPER_DOWN = 2;
    public const byte IF_OPER_LOWERLAYERDOWN = 3;
    public const byte IF_OPER_TESTING = 4;
    public const byte IF_OPER_DORMANT = 5;
    public const byte IF_OPER_UP = 6;

    /// <summary><c>IFNAMSIZ</c> (linux/if.h): 15 characters plus NUL.</summary>
    public const int IFNAMSIZ = 16;

    /// <summary>The <c>IFLA_INFO_KIND</c> of a WireGuard link.</summary>
    public const string WireGuardKind = "wireguard";
}
