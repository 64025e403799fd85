using System.Buffers.Binary;
using System.Net.Sockets;

namespace Innernet.Core.Cidrs;

/// <summary>IP addresses as 128-bit integers (IPv4 in the low 32 bits) for range arithmetic.</summary>
internal static class IPMath
{
    private const int Ipv4Bits = 32;
    private const int Ipv6Bits = 128;
    private const int Ipv4Bytes = 4;
    private const int Ipv6Bytes = 16;

    public static int BitsOf(AddressFamily family) => family == AddressFamily.InterNetwork ? Ipv4Bits : Ipv6Bits;

    public static UInt128 ToNumber(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[Ipv6Bytes];
        address.TryWriteBytes(bytes, out int length);
        return length == Ipv4Bytes
            ? BinaryPrimitives.ReadUInt32BigEndian(bytes)
            : BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    public static IPAddress FromNumber(UInt128 value, AddressFamily family)
    {
        if (family == AddressFamily.InterNetwork)
        {
            Span<byte> v4 = stackalloc byte[Ipv4Bytes];
            BinaryPrimitives.WriteUInt32BigEndian(v4, (uint)value);
            return new IPAddress(v4);
        }

        Span<byte> v6 = stackalloc byte[Ipv6Bytes];
        BinaryPrimitives.WriteUInt128BigEndian(v6, value);
        return new IPAddress(v6);
    }

    /// <summary>The first (network) address of <paramref name="network"/>.</summary>
    public static UInt128 First(IPNetwork network) => ToNumber(network.BaseAddress);

    /// <summary>The last (broadcast) address of <paramref name="network"/>.</summary>
    public static UInt128 Last(IPNetwork network)
    {
        int hostBits = BitsOf(network.BaseAddress.AddressFamily) - network.PrefixLength;
        UInt128 hostMask = hostBits == Ipv6Bits ? UInt128.MaxValue : (UInt128.One << hostBits) - 1;
        return First(network) | hostMask;
    }

    /// <summary>True when <paramref name="outer"/> contains all of <paramref name="inner"/> (same family).</summary>
    public static bool Contains(IPNetwork outer, IPNetwork inner)
        => outer.BaseAddress.AddressFamily == inner.BaseAddress.AddressFamily
            && outer.PrefixLength <= inner.PrefixLength
            && outer.Contains(inner.BaseAddress);

    /// <summary>True when the two ranges share at least one address.</summary>
    public static bool Overlaps(IPNetwork a, IPNetwork b) => Contains(a, b) || Contains(b, a);
}
