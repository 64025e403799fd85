using System.Runtime.InteropServices;
using Innernet.Netlink.Errors;
using Innernet.Netlink.Interop;

namespace Innernet.Netlink.Protocol;

/// <summary><c>struct nlmsghdr</c>, host endian.</summary>
internal readonly record struct NlMsgHeader(uint Length, ushort Type, ushort Flags, uint Sequence, uint PortId)
{
    /// <summary>Encoded size.</summary>
    public const int Size =
        sizeof(uint)      // nlmsg_len
        + sizeof(ushort)  // nlmsg_type
        + sizeof(ushort)  // nlmsg_flags
        + sizeof(uint)    // nlmsg_seq
        + sizeof(uint);   // nlmsg_pid

    /// <summary>Byte offset of <c>nlmsg_seq</c>.</summary>
    public const int SequenceOffset = sizeof(uint) + sizeof(ushort) + sizeof(ushort);

    /// <summary>Reads a header; throws <see cref="NetlinkProtocolException"/> when fewer than 16 bytes are given.</summary>
    public static NlMsgHeader Read(ReadOnlySpan<byte> source)
    {
        if (source.Length < Size)
        {
            ThrowHelper.ThrowProtocol($"Truncated nlmsghdr: {source.Length} bytes, {Size} needed.");
        }

        var h = MemoryMarshal.Read<LinuxNetlink.nlmsghdr>(source);
        return new NlMsgHeader(h.nlmsg_len, h.nlmsg_type, h.nlmsg_flags, h.nlmsg_seq, h.nlmsg_pid);
    }

    /// <summary>Writes the 16 bytes.</summary>
    public void WriteTo(Span<byte> destination)
    {
        var h = new LinuxNetlink.nlmsghdr
        {
            nlmsg_len = Length,
            nlmsg_type = Type,
            nlmsg_flags = Flags,
            nlmsg_seq = Sequence,
            nlmsg_pid = PortId,
        };
        MemoryMarshal.Write(destination, in h);
    }

    /// <summary>Overwrites <c>nlmsg_seq</c> of an encoded message in place.</summary>
    public static void PatchSequence(Span<byte> message, uint sequence) =>
        MemoryMarshal.Write(message.Slice(SequenceOffset, sizeof(uint)), in sequence);
}
