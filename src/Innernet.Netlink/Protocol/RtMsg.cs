using System.Runtime.InteropServices;
using Innernet.Netlink.Errors;
using Innernet.Netlink.Interop;

namespace Innernet.Netlink.Protocol;

/// <summary><c>struct rtmsg</c>, the fixed header of route messages.</summary>
internal readonly record struct RtMsg(
    byte Family, byte DestinationLength, byte SourceLength, byte Tos, byte Table, byte Protocol, byte Scope, byte Type, uint Flags)
{
    /// <summary>Encoded size.</summary>
    public const int Size =
        sizeof(byte)      // rtm_family
        + sizeof(byte)    // rtm_dst_len
        + sizeof(byte)    // rtm_src_len
        + sizeof(byte)    // rtm_tos
        + sizeof(byte)    // rtm_table
        + sizeof(byte)    // rtm_protocol
        + sizeof(byte)    // rtm_scope
        + sizeof(byte)    // rtm_type
        + sizeof(uint);   // rtm_flags

    /// <summary>Reads the header; throws <see cref="NetlinkProtocolException"/> when too short.</summary>
    public static RtMsg Read(ReadOnlySpan<byte> source)
    {
        if (source.Length < Size)
        {
            ThrowHelper.ThrowProtocol($"Truncated rtmsg: {source.Length} bytes, {Size} needed.");
        }

        var h = MemoryMarshal.Read<LinuxRtnetlink.rtmsg>(source);
        return new RtMsg(h.rtm_family, h.rtm_dst_len, h.rtm_src_len, h.rtm_tos, h.rtm_table, h.rtm_protocol, h.rtm_scope,
            h.rtm_type, h.rtm_flags);
    }

    /// <summary>Writes the 12 bytes.</summary>
    public void WriteTo(Span<byte> destination)
    {
        var h = new LinuxRtnetlink.rtmsg
        {
            rtm_family = Family,
            rtm_dst_len = DestinationLength,
            rtm_src_len = SourceLength,
            rtm_tos = Tos,
            rtm_table = Table,
            rtm_protocol = Protocol,
            rtm_scope = Scope,
            rtm_type = Type,
            rtm_flags = Flags,
        };
        MemoryMarshal.Write(destination, in h);
    }
}
