// Kernel spelling on purpose: the names mirror the C declarations exactly.
#pragma warning disable CS8981
namespace Innernet.Netlink.Interop;

/// <summary>
/// The address families of <c>sys/socket.h</c> the library speaks, spelled as in the C header. Typed as a byte, the width of
/// the rtnetlink family fields; it widens to <c>sa_family_t</c> (u16) where WireGuard's sockaddrs and allowed IPs use it.
/// </summary>
internal static class LinuxSocket
{
    public const byte AF_UNSPEC = 0;
    public const byte AF_INET = 2;
    public const byte AF_INET6 = 10;
}
