// Kernel spelling on purpose: the struct names mirror the C declarations exactly (checked by InteropHeaderTests).
#pragma warning disable CS8981
using System.Runtime.InteropServices;

namespace Innernet.Netlink.Interop;

/// <summary><c>linux/genetlink.h</c>: the Generic Netlink header and the controller family.</summary>
internal static class LinuxGenetlink
{
    public const ushort GENL_ID_CTRL = LinuxNetlink.NLMSG_MIN_TYPE;
    public const int GENL_HDRLEN = 4;
    public const int GENL_NAMSIZ = 16;

    /// <summary>Controller commands (anonymous enum <c>CTRL_CMD_*</c>).</summary>
    public const byte CTRL_CMD_UNSPEC = 0;
    public const byte CTRL_CMD_NEWFAMILY = 1;
    public const byte CTRL_CMD_DELFAMILY = 2;
    public const byte CTRL_CMD_GETFAMILY = 3;

    /// <summary>Controller attributes (anonymous enum <c>CTRL_ATTR_*</c>).</summary>
    public const ushort CTRL_ATTR_UNSPEC = 0;
    public const ushort CTRL_ATTR_FAMILY_ID = 1;
    public const ushort CTRL_ATTR_FAMILY_NAME = 2;
    public const ushort CTRL_ATTR_VERSION = 3;
    public const ushort CTRL_ATTR_HDRSIZE = 4;
    public const ushort CTRL_ATTR_MAXATTR = 5;
    public const ushort CTRL_ATTR_OPS = 6;
    public const ushort CTRL_ATTR_MCAST_GROUPS = 7;

    /// <summary>The controller's own version we put in requests.</summary>
    public const byte ControllerVersion = 1;

    /// <summary><c>struct genlmsghdr</c> (4 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct genlmsghdr
    {
        public byte cmd;
        public byte version;
        public ushort reserved;
    }
}
