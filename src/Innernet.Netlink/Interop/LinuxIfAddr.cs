// Kernel spelling on purpose: the struct names mirror the C declarations exactly (checked by InteropHeaderTests).
#pragma warning disable CS8981
using System.Runtime.InteropServices;

namespace Innernet.Netlink.Interop;

/// <summary><c>linux/if_addr.h</c>: <c>struct ifaddrmsg</c>, address attributes and flags.</summary>
internal static class LinuxIfAddr
{
    // Address attributes (anonymous enum IFA_*).
    public const ushort IFA_UNSPEC = 0;
    public const ushort IFA_ADDRESS = 1;
    public const ushort IFA_LOCAL = 2;
    public const ushort IFA_LABEL = 3;
    public const ushort IFA_BROADCAST = 4;
    public const ushort IFA_ANYCAST = 5;
    public const ushort IFA_CACHEINFO = 6;
    public const ushort IFA_MULTICAST = 7;
    public const ushort IFA_FLAGS = 8;

    // Address flags.
    public const uint IFA_F_SECONDARY = 0x01;
    public const uint IFA_F_NODAD = 0x02;
    public const uint IFA_F_PERMANENT = 0x80;
    public const uint IFA_F_NOPREFIXROUTE = 0x200;

    /// <summary><c>struct ifaddrmsg</c> (8 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ifaddrmsg
    {
        public byte ifa_family;
        public byte ifa_prefixlen;
        public byte ifa_flags;
        public byte ifa_scope;
        public uint ifa_index;
    }
}
