using System.Globalization;
using System.Net.Sockets;

namespace Innernet.Netlink.Route;

/// <summary>An address assigned to an interface with its prefix length, e.g. <c>10.0.0.1/24</c>.</summary>
/// <param name="Address">The interface's own address (host bits kept).</param>
/// <param name="PrefixLength">The prefix length (0–32 for IPv4, 0–128 for IPv6).</param>
public readonly record struct InterfaceAddress(IPAddress Address, int PrefixLength)
{
    /// <summary>The network the address belongs to (host bits cleared).</summary>
    public IPNetwork Network => new(Mask(Address, PrefixLength), PrefixLength);

    /// <summary>Parses <c>address/prefix</c>, e.g. <c>10.0.0.1/24</c> or <c>fd00::1/64</c>.</summary>
    /// <exception cref="FormatException">The text is not an address followed by a valid prefix length.</exception>
    public static InterfaceAddress Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0
            || !IPAddress.TryParse(text.AsSpan(0, slash), out IPAddress? address)
            || !int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int prefix)
            || prefix > MaxPrefix(address))
        {
            throw new FormatException($"'{text}' is not an interface address like 10.0.0.1/24 or fd00::1/64.");
        }

        return new InterfaceAddress(address, prefix);
    }

    /// <summary><c>address/prefix</c>.</summary>
    public override string ToString() => $"{Address}/{PrefixLength.ToString(CultureInfo.InvariantCulture)}";

    internal static int MaxPrefix(IPAddress address) => address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;

    /// <summary>Clears the host bits of <paramref name="address"/> beyond <paramref name="prefixLength"/>.</summary>
    internal static IPAddress Mask(IPAddress address, int prefixLength)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out int length);
        bytes = bytes[..length];
        for (int i = 0; i < length; i++)
        {
            int bits = Math.Clamp(prefixLength - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - bits));
        }

        return new IPAddress(bytes);
    }
}
