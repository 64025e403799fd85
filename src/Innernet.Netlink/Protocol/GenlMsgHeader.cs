using System.Runtime.InteropServices;
using Innernet.Netlink.Errors;
using Innernet.Netlink.Interop;

namespace Innernet.Netlink.Protocol;

/// <summary><c>struct genlmsghdr</c>; <c>reserved</c> is always written as zero.</summary>
internal readonly record struct GenlMsgHeader(byte Command, byte Version)
{
    /// <summary>Encoded size.</summary>
    public const int Size =
        sizeof(byte)      // cmd
        + sizeof(byte)    // version
        + sizeof(ushort); // reserved

    /// <summary>Reads a header; throws <see cref="NetlinkProtocolException"/> when too short.</summary>
    public static GenlMsgHeader Read(ReadOnlySpan<byte> source)
    {
        if (source.Length < Size)
        {
            ThrowHelper.ThrowProtocol($"Truncated genlmsghdr: {source.Length} bytes, {Size} needed.");
        }

        var h = MemoryMarshal.Read<LinuxGenetlink.genlmsghdr>(source);
        return new GenlMsgHeader(h.cmd, h.version);
    }

    /// <summary>Writes the 4 bytes (reserved = 0).</summary>
    public void WriteTo(Span<byte> destination)
    {
        var h = new LinuxGenetlink.genlmsghdr { cmd = Command, version = Version, reserved = 0 };
        MemoryMarshal.Write(destination, in h);
    }
}
