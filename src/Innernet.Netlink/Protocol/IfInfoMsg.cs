using System.Runtime.InteropServices;
using Innernet.Netlink.Errors;
using Innernet.Netlink.Interop;

namespace Innernet.Netlink.Protocol;

/// <summary><c>struct ifinfomsg</c>, the fixed header of link messages.</summary>
internal readonly record struct IfInfoMsg(byte Family, ushort DeviceType, int Index, uint Flags, uint Change)
{
    /// <summary>Encoded size.</summary>
    public const int Size =
        sizeof(byte)      // ifi_family
        + sizeof(byte)    // __ifi_pad
        + sizeof(ushort)  // ifi_type
        + sizeof(int)     // ifi_index
        + sizeof(uint)    // ifi_flags
        + sizeof(uint);   // ifi_change

    /// <summary>Reads the header; throws <see cref="NetlinkProtocolException"/> when too short.</summary>
    public static IfInfoMsg Read(ReadOnlySpan<byte> source)
    {
        if (source.Length < Size)
        {
            ThrowHelper.ThrowProtocol($"Truncated ifinfomsg: {source.Length} bytes, {Size} needed.");
        }

        var h = MemoryMarshal.Read<LinuxRtnetlink.ifinfomsg>(source);
        return new IfInfoMsg(h.ifi_family, h.ifi_type, h.ifi_index, h.ifi_flags, h.ifi_change);
    }

    /// <summary>Writes the 16 bytes.</summary>
    public void WriteTo(Span<byte> destination)
    {
        var h = new LinuxRtnetlink.ifinfomsg
        {
            ifi_family = Family,
            ifi_type = DeviceType,
            ifi_index = Index,
            ifi_flags = Flags,
            ifi_change = Change,
        };
        MemoryMarshal.Write(destination, in h);
    }
}
