// Kernel spelling on purpose: the struct names mirror the C declarations exactly (checked by InteropHeaderTests).
#pragma warning disable CS8981
using System.Runtime.InteropServices;

namespace Innernet.Netlink.Interop;

/// <summary><c>linux/rtnetlink.h</c>: message types, <c>struct rtmsg</c>, route attributes and values, <c>struct ifinfomsg</c>.</summary>
internal static class LinuxRtnetlink
{
    // Message types (RTM_*).
    public const ushort RTM_NEWLINK = 16;
    public const ushort RTM_DELLINK = 17;
    public const ushort RTM_GETLINK = 18;
    public const ushort RTM_SETLINK = 19;
    public const ushort RTM_NEWADDR = 20;
    public const ushort RTM_DELADDR = 21;
    public const ushort RTM_GETADDR = 22;
    public const ushort RTM_NEWROUTE = 24;
    public const ushort RTM_DELROUTE = 25;
    public const ushort RTM_GETROUTE = 26;

    // enum rtnetlink_groups: multicast groups for change notifications (NETLINK_ADD_MEMBERSHIP).
    public const int RTNLGRP_LINK = 1;
    public const int RTNLGRP_IPV4_IFADDR = 5;
    public const int RTNLGRP_IPV4_ROUTE = 7;
    public const int RTNLGRP_IPV6_IFADDR = 9;
    public const int RTNLGRP_IPV6_ROUTE = 11;

    // rtm_type (RTN_*).
    public const byte RTN_UNSPEC = 0;
    public const byte RTN_UNICAST = 1;
    public const byte RTN_LOCAL = 2;

    // rtm_protocol (RTPROT_*).
    public const byte RTPROT_UNSPEC = 0;
    public const byte RTPROT_KERNEL = 2;
    public const byte RTPROT_BOOT = 3;
    public const byte RTPROT_STATIC = 4;

    // enum rt_scope_t.
    public const byte RT_SCOPE_UNIVERSE = 0;
    public const byte RT_SCOPE_SITE = 200;
    public const byte RT_SCOPE_LINK = 253;
    public const byte RT_SCOPE_HOST = 254;
    public const byte RT_SCOPE_NOWHERE = 255;

    // enum rt_class_t.
    public const byte RT_TABLE_UNSPEC = 0;
    public const byte RT_TABLE_MAIN = 254;
    public const byte RT_TABLE_LOCAL = 255;

    // IFLA_EXT_MASK values.
    public const uint RTEXT_FILTER_SKIP_STATS = 1 << 3;

    /// <summary><c>enum rtattr_type_t</c>: route attributes.</summary>
    public enum rtattr_type_t : ushort
    {
        RTA_UNSPEC = 0,
        RTA_DST = 1,
        RTA_SRC = 2,
        RTA_IIF = 3,
        RTA_OIF = 4,
        RTA_GATEWAY = 5,
        RTA_PRIORITY = 6,
        RTA_PREFSRC = 7,
        RTA_METRICS = 8,
        RTA_TABLE = 15,
    }

    /// <summary><c>struct rtmsg</c> (12 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct rtmsg
    {
        public byte rtm_family;
        public byte rtm_dst_len;
        public byte rtm_src_len;
        public byte rtm_tos;
        public byte rtm_table;
        public byte rtm_protocol;
        public byte rtm_scope;
        public byte rtm_type;
        public uint rtm_flags;
    }

    /// <summary><c>struct ifinfomsg</c> (16 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ifinfomsg
    {
        public byte ifi_family;
        public byte __ifi_pad;
        public ushort ifi_type;
        public int ifi_index;
        public uint ifi_flags;
        public uint ifi_change;
    }
}
