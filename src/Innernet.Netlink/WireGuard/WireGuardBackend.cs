namespace Innernet.Netlink.WireGuard;

/// <summary>How a WireGuard device is reached.</summary>
public enum WireGuardBackend
{
    /// <summary>
    /// Choose per device: a connectable UAPI socket wins (as in <c>wg(8)</c>), else the kernel's
    /// <c>wireguard</c> Generic Netlink family when present, else start the userspace implementation.
    /// </summary>
    Auto = 0,

    /// <summary>The Linux kernel module, over Generic Netlink and rtnetlink.</summary>
    Kernel = 1,

    /// <summary>A userspace implementation (wireguard-go) over the UAPI unix socket.</summary>
    Userspace = 2,
}
