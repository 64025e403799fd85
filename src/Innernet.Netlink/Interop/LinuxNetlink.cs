// Kernel spelling on purpose: the struct names mirror the C declarations exactly (checked by InteropHeaderTests).
#pragma warning disable CS8981
using System.Runtime.InteropServices;

namespace Innernet.Netlink.Interop;

/// <summary>
/// <c>linux/netlink.h</c>: protocols, message types, flags, socket options and the fixed layouts,
/// spelled as in the kernel header (Tmds.LibC has only <c>AF_NETLINK</c> and <c>SOL_NETLINK</c>).
/// Verified against the installed header by <c>InteropHeaderTests</c>.
/// </summary>
internal static class LinuxNetlink
{
    // Socket protocols.
    public const int NETLINK_ROUTE = 0;
    public const int NETLINK_GENERIC = 16;

    // Alignment and header lengths.
    public const int NLMSG_ALIGNTO = 4;
    public const int NLMSG_HDRLEN = 16;
    public const int NLA_ALIGNTO = 4;
    public const int NLA_HDRLEN = 4;

    // Control message types.
    public const ushort NLMSG_NOOP = 0x1;
    public const ushort NLMSG_ERROR = 0x2;
    public const ushort NLMSG_DONE = 0x3;
    public const ushort NLMSG_OVERRUN = 0x4;
    public const ushort NLMSG_MIN_TYPE = 0x10;

    // Flags valid for every request.
    public const ushort NLM_F_REQUEST = 0x01;
    public const ushort NLM_F_MULTI = 0x02;
    public const ushort NLM_F_ACK = 0x04;
    public const ushort NLM_F_ECHO = 0x08;
    public const ushort NLM_F_DUMP_INTR = 0x10;
    public const ushort NLM_F_DUMP_FILTERED = 0x20;

    // Modifiers to GET requests.
    public const ushort NLM_F_ROOT = 0x100;
    public const ushort NLM_F_MATCH = 0x200;
    public const ushort NLM_F_ATOMIC = 0x400;
    public const ushort NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;

    // Modifiers to NEW requests.
    public const ushort NLM_F_REPLACE = 0x100;
    public const ushort NLM_F_EXCL = 0x200;
    public const ushort NLM_F_CREATE = 0x400;
    public const ushort NLM_F_APPEND = 0x800;

    // Modifiers to DELETE requests.
    public const ushort NLM_F_NONREC = 0x100;
    public const ushort NLM_F_BULK = 0x200;

    // Flags for ACK messages.
    public const ushort NLM_F_CAPPED = 0x100;
    public const ushort NLM_F_ACK_TLVS = 0x200;

    // Attribute type bits.
    public const ushort NLA_F_NESTED = 1 << 15;
    public const ushort NLA_F_NET_BYTEORDER = 1 << 14;
    public const ushort NLA_TYPE_MASK = unchecked((ushort)~(NLA_F_NESTED | NLA_F_NET_BYTEORDER));

    // SOL_NETLINK socket options.
    public const int NETLINK_ADD_MEMBERSHIP = 1;
    public const int NETLINK_DROP_MEMBERSHIP = 2;
    public const int NETLINK_BROADCAST_ERROR = 4;
    public const int NETLINK_NO_ENOBUFS = 5;
    public const int NETLINK_CAP_ACK = 10;
    public const int NETLINK_EXT_ACK = 11;
    public const int NETLINK_GET_STRICT_CHK = 12;

    /// <summary><c>enum nlmsgerr_attrs</c>: extended-ACK TLVs after <c>struct nlmsgerr</c>.</summary>
    public enum nlmsgerr_attrs : ushort
    {
        NLMSGERR_ATTR_UNUSED = 0,
        NLMSGERR_ATTR_MSG = 1,
        NLMSGERR_ATTR_OFFS = 2,
        NLMSGERR_ATTR_COOKIE = 3,
        NLMSGERR_ATTR_POLICY = 4,
        NLMSGERR_ATTR_MISS_TYPE = 5,
        NLMSGERR_ATTR_MISS_NEST = 6,
    }

    /// <summary><c>struct nlmsghdr</c> (16 bytes, host endian).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct nlmsghdr
    {
        public uint nlmsg_len;
        public ushort nlmsg_type;
        public ushort nlmsg_flags;
        public uint nlmsg_seq;
        public uint nlmsg_pid;
    }

    /// <summary><c>struct nlattr</c> (4 bytes, host endian).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct nlattr
    {
        public ushort nla_len;
        public ushort nla_type;
    }

    /// <summary><c>struct nlmsgerr</c>: the payload of <c>NLMSG_ERROR</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct nlmsgerr
    {
        public int error;
        public nlmsghdr msg;
    }

    /// <summary><c>struct sockaddr_nl</c> (12 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct sockaddr_nl
    {
        public ushort nl_family;
        public ushort nl_pad;
        public uint nl_pid;
        public uint nl_groups;
    }
}
