using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net.Sockets;

namespace Innernet.Netlink.Route;

/// <summary>An address assigned to an interface with its prefix length, e.g. <c>10.0.0.1/24</c>.</summary>
/// <param name="Address">The interface's own address (host bits kept).</param>
/// <param name="PrefixLength">The prefix length (0–32 for IPv4, 0–128 for IPv6).</param>
public readonly record struct InterfaceAddress(IPAddress Address, int PrefixLength)
{
    private const int Ipv4Bits = 32;
    private const int Ipv6Bits = 128;
    private const int MaxPrefixDigits = 3;

    /// <summary>The network the address belongs to (host bits cleared).</summary>
    public IPNetwork Network => new(Mask(Address, PrefixLength), PrefixLength);

    /// <summary>Parses <c>address/prefix</c>, e.g. <c>10.0.0.1/24</c> or <c>fd00::1/64</c>.</summary>
    /// <exception cref="FormatException">The text is not an address followed by a valid prefix length; the message says why.</exception>
    public static InterfaceAddress Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var value, out string? error) ? value : throw new FormatException(error);
    }

    /// <summary>
    /// Tries to parse <c>address/prefix</c> strictly: an IP address without scope id, a slash and a decimal prefix
    /// length within the address family's range.
    /// </summary>
    /// <param name="text">The text, e.g. <c>10.42.1.2/16</c>.</param>
    /// <param name="value">The address when the text is valid.</param>
    /// <param name="error">When the text is invalid, a message that quotes it and says what is wrong.</param>
    /// <returns>True when the text is valid.</returns>
    public static bool TryParse(string? text, out InterfaceAddress value, [NotNullWhen(false)] out string? error)
    {
        value = default;
        int slash = text?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        if (text is null || slash < 0)
        {
            error = $"'{text}' is not an address with prefix (expected e.g. 10.42.1.2/16).";
            return false;
        }

        string addressText = text[..slash];
        string prefixText = text[(slash + 1)..];
        if (addressText.Contains('%', StringComparison.Ordinal) || !IPAddress.TryParse(addressText, out var address))
        {
            error = $"'{text}': '{addressText}' is not an IP address.";
            return false;
        }

        int max = MaxPrefix(address);
        if (prefixText.Length is 0 or > MaxPrefixDigits || prefixText.AsSpan().ContainsAnyExceptInRange('0', '9')
            || !int.TryParse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture, out int prefix) || prefix > max)
        {
            error = $"'{text}': the prefix length must be a number from 0 to {max}.";
            return false;
        }

        value = new InterfaceAddress(address, prefix);
        error = null;
        return true;
    }

    /// <summary><c>address/prefix</c>.</summary>
    public override string ToString() => $"{Address}/{PrefixLength.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The longest prefix length of <paramref name="address"/>'s family: 32 for IPv4, 128 for IPv6.</summary>
    /// <param name="address">An IPv4 or IPv6 address.</param>
    /// <returns>32 or 128.</returns>
    public static int MaxPrefix(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.AddressFamily == AddressFamily.InterNetwork ? Ipv4Bits : Ipv6Bits;
    }

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
