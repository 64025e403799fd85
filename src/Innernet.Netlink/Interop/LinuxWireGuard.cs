// Kernel spelling on purpose: enum and member names are those of linux/wireguard.h (WG_CMD_* in enum wg_cmd).
#pragma warning disable CA1712
namespace Innernet.Netlink.Interop;

/// <summary><c>linux/wireguard.h</c>: the <c>wireguard</c> Generic Netlink family.</summary>
internal static class LinuxWireGuard
{
    public const string WG_GENL_NAME = "wireguard";
    public const byte WG_GENL_VERSION = 1;
    public const int WG_KEY_LEN = 32;

    /// <summary><c>enum wg_cmd</c>.</summary>
    public enum wg_cmd : byte
    {
        WG_CMD_GET_DEVICE = 0,
        WG_CMD_SET_DEVICE = 1,
    }

    /// <summary><c>enum wgdevice_flag</c>.</summary>
    [Flags]
    public enum wgdevice_flag : uint
    {
        WGDEVICE_F_REPLACE_PEERS = 1U << 0,
    }

    /// <summary><c>enum wgdevice_attribute</c>.</summary>
    public enum wgdevice_attribute : ushort
    {
        WGDEVICE_A_UNSPEC = 0,
        WGDEVICE_A_IFINDEX = 1,
        WGDEVICE_A_IFNAME = 2,
        WGDEVICE_A_PRIVATE_KEY = 3,
        WGDEVICE_A_PUBLIC_KEY = 4,
        WGDEVICE_A_FLAGS = 5,
        WGDEVICE_A_LISTEN_PORT = 6,
        WGDEVICE_A_FWMARK = 7,
        WGDEVICE_A_PEERS = 8,
    }

    /// <summary><c>enum wgpeer_flag</c>.</summary>
    [Flags]
    public enum wgpeer_flag : uint
    {
        WGPEER_F_REMOVE_ME = 1U << 0,
        WGPEER_F_REPLACE_ALLOWEDIPS = 1U << 1,
        WGPEER_F_UPDATE_ONLY = 1U << 2,
    }

    /// <summary><c>enum wgpeer_attribute</c>.</summary>
    public enum wgpeer_attribute : ushort
    {
        WGPEER_A_UNSPEC = 0,
        WGPEER_A_PUBLIC_KEY = 1,
        WGPEER_A_PRESHARED_KEY = 2,
        WGPEER_A_FLAGS = 3,
        WGPEER_A_ENDPOINT = 4,
        WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL = 5,
        WGPEER_A_LAST_HANDSHAKE_TIME = 6,
        WGPEER_A_RX_BYTES = 7,
        WGPEER_A_TX_BYTES = 8,
        WGPEER_A_ALLOWEDIPS = 9,
        WGPEER_A_PROTOCOL_VERSION = 10,
    }

    /// <summary><c>enum wgallowedip_flag</c> (Linux 6.16+).</summary>
    [Flags]
    public enum wgallowedip_flag : uint
    {
        WGALLOWEDIP_F_REMOVE_ME = 1U << 0,
    }

    /// <summary>
    /// <c>enum wgallowedip_attribute</c> (<c>WGALLOWEDIP_A_FLAGS</c> is Linux 6.16+: sent only after a probe found it supported).
    /// </summary>
    public enum wgallowedip_attribute : ushort
    {
        WGALLOWEDIP_A_UNSPEC = 0,
        WGALLOWEDIP_A_FAMILY = 1,
        WGALLOWEDIP_A_IPADDR = 2,
        WGALLOWEDIP_A_CIDR_MASK = 3,
        WGALLOWEDIP_A_FLAGS = 4,
    }

    // Payload sizes (linux/in.h, linux/in6.h, linux/time_types.h).
    public const int SizeOfSockaddrIn = 16;
    public const int SizeOfSockaddrIn6 = 28;
    public const int SizeOfKernelTimespec = 16;
    public const int SizeOfInAddr = 4;
    public const int SizeOfIn6Addr = 16;
}
