using System.Runtime.InteropServices;
using Innernet.Netlink.Interop;
using Innernet.Netlink.Protocol;

namespace Innernet.Netlink.Tests.Support;

/// <summary>Builds kernel-style reply messages for the fake kernel (the kernel's nlmsghdr, nlmsgerr and extack layouts).</summary>
internal static class Replies
{
    /// <summary>A success ACK: capped, 36 bytes.</summary>
    public static byte[] Ack(byte[] request, uint portId) => Error(request, portId, 0, capped: true);

    /// <summary>
    /// <c>NLMSG_ERROR</c> with <paramref name="error"/> (negative errno); echoes the request payload unless capped;
    /// appends extack TLVs when <paramref name="extack"/> or <paramref name="offset"/> is given.
    /// </summary>
    public static byte[] Error(byte[] request, uint portId, int error, bool capped, string? extack = null, uint? offset = null)
    {
        var requestHeader = NlMsgHeader.Read(request);
        byte[] echoed = capped ? request[..NlMsgHeader.Size] : request;
        bool tlvs = extack is not null || offset is not null;
        ushort flags = (ushort)((capped ? LinuxNetlink.NLM_F_CAPPED : 0) | (tlvs ? LinuxNetlink.NLM_F_ACK_TLVS : 0));
        var buffer = new byte[4096 + request.Length];
        var w = new NetlinkWriter(buffer);
        w.BeginMessage(LinuxNetlink.NLMSG_ERROR, flags, requestHeader.Sequence);
        Raw(ref w, BitConverter.GetBytes(error));
        Raw(ref w, echoed);
        if (extack is not null)
        {
            w.WriteString((ushort)LinuxNetlink.nlmsgerr_attrs.NLMSGERR_ATTR_MSG, extack);
        }

        if (offset is not null)
        {
            w.WriteU32((ushort)LinuxNetlink.nlmsgerr_attrs.NLMSGERR_ATTR_OFFS, offset.Value);
        }

        w.EndMessage();
        byte[] result = w.Written.ToArray();
        SetPortId(result, portId);
        return result;
    }

    /// <summary><c>NLMSG_DONE</c> with an error code and optional extack TLVs.</summary>
    public static byte[] Done(uint sequence, uint portId, int error = 0, string? extack = null, ushort extraFlags = 0)
    {
        var buffer = new byte[512];
        var w = new NetlinkWriter(buffer);
        ushort flags = (ushort)(LinuxNetlink.NLM_F_MULTI | extraFlags | (extack is null ? 0 : LinuxNetlink.NLM_F_ACK_TLVS));
        w.BeginMessage(LinuxNetlink.NLMSG_DONE, flags, sequence);
        Raw(ref w, BitConverter.GetBytes(error));
        if (extack is not null)
        {
            w.WriteString((ushort)LinuxNetlink.nlmsgerr_attrs.NLMSGERR_ATTR_MSG, extack);
        }

        w.EndMessage();
        byte[] result = w.Written.ToArray();
        SetPortId(result, portId);
        return result;
    }

    /// <summary>Concatenates messages (each already 4-aligned) into one datagram.</summary>
    public static byte[] Datagram(params byte[][] messages) => messages.SelectMany(m => m).ToArray();

    public static void SetPortId(byte[] message, uint portId) =>
        MemoryMarshal.Write(message.AsSpan(12, 4), in portId);

    public static void SetFlags(byte[] message, ushort flags) =>
        MemoryMarshal.Write(message.AsSpan(6, 2), in flags);

    public static void SetSequence(byte[] message, uint sequence) =>
        MemoryMarshal.Write(message.AsSpan(8, 4), in sequence);

    private static void Raw(ref NetlinkWriter w, ReadOnlySpan<byte> bytes) => w.WriteRaw(bytes);
}
