using System.Runtime.InteropServices;
using Innernet.Netlink.Errors;
using Innernet.Netlink.Interop;

namespace Innernet.Netlink.Protocol;

/// <summary><c>struct ifaddrmsg</c>, the fixed header of address messages.</summary>
internal readonly record struct IfAddrMsg(byte Family, byte PrefixLength, byte Flags, byte Scope, uint Index)
{
    /// <summary>Encoded size.</summary>
    public const int Size =
        sizeof(byte)      // ifa_family
        + sizeof(byte)    // ifa_prefixlen
        + sizeof(byte)    // ifa_flags
        + sizeof(byte)    // ifa_scope
        + sizeof(uint);   // ifa_index

    /// <summary>Reads the header; throws <see cref="NetlinkProtocolException"/> when too short.</summary>
    public static IfAddrMsg Read(ReadOnlySpan<byte> source)
    {
        if (source.Length < Size)
        {
            ThrowHelper.ThrowProtocol($"Truncated ifaddrmsg: {source.Length} bytes, {Size} needed.");
        }

        var h = MemoryMarshal.Read<LinuxIfAddr.ifaddrmsg>(source);
        return new IfAddrMsg(h.ifa_family, h.ifa_prefixlen, h.ifa_flags, h.ifa_scope, h.ifa_index);
    }

    /// <summary>Writes the 8 bytes.</summary>
    public void WriteTo(Span<byte> destination)
    {
        var h = new LinuxIfAddr.ifaddrmsg
        {
            ifa_family = Family,
            ifa_prefixlen = PrefixLength,
            ifa_flags = Flags,
            ifa_scope = Scope,
            ifa_index = Index,
        };
        MemoryMarshal.Write(destination, in h);
    }
}
