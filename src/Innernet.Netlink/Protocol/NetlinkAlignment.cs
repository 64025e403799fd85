using Innernet.Netlink.Interop;

namespace Innernet.Netlink.Protocol;

/// <summary>The one place where netlink's 4-byte alignment (<c>NLMSG_ALIGN</c> = <c>NLA_ALIGN</c>) is computed.</summary>
internal static class NetlinkAlignment
{
    /// <summary>Rounds <paramref name="length"/> up to the next multiple of 4.</summary>
    public static int Align(int length) => (length + LinuxNetlink.NLA_ALIGNTO - 1) & ~(LinuxNetlink.NLA_ALIGNTO - 1);

    /// <summary>Encoded size of an attribute with a payload of <paramref name="payloadLength"/> bytes, padding included.</summary>
    public static int AttributeSize(int payloadLength) => Align(LinuxNetlink.NLA_HDRLEN + payloadLength);
}
