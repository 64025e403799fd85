using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net.Sockets;
using Innernet.Core.Contracts;

namespace Innernet.Core.Model;

/// <summary>
/// An interface address with a prefix length, host bits kept: "10.42.1.2/16" (a client's own IP with the
/// ROOT CIDR's prefix, as in the client config's <c>address</c>).
/// </summary>
public readonly record struct InterfaceAddress
{
    private const int Ipv4Bits = 32;
    private const int Ipv6Bits = 128;

    /// <summary>Creates an address with a prefix length.</summary>
    /// <exception cref="ValidationException">The prefix length is out of range for the address family.</exception>
    public InterfaceAddress(IPAddress address, int prefixLength)
    {
        ArgumentNullException.ThrowIfNull(address);
        int max = address.AddressFamily == AddressFamily.InterNetwork ? Ipv4Bits : Ipv6Bits;
        if (prefixLength < 0 || prefixLength > max)
        {
            throw new ValidationException($"Prefix length {prefixLength} is out of range for {address} (0 to {max}).");
        }

        Address = address;
        PrefixLength = prefixLength;
    }

    /// <summary>The interface's own IP.</summary>
    public IPAddress Address { get; }

    /// <summary>The prefix length of the network it belongs to.</summary>
    public int PrefixLength { get; }

    /// <summary>The network (host bits cleared), e.g. 10.42.0.0/16 for 10.42.1.2/16.</summary>
    public IPNetwork Network => new(CidrText.Masked(Address, PrefixLength), PrefixLength);

    /// <summary>Parses "address/prefix".</summary>
    /// <exception cref="ValidationException">The text is not address/prefix; the message says why.</exception>
    public static InterfaceAddress Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var value, out string? error) ? value : throw new ValidationException(error);
    }

    /// <summary>Tries to parse "address/prefix"; on failure <paramref name="error"/> says why.</summary>
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

        int max = address.AddressFamily == AddressFamily.InterNetwork ? Ipv4Bits : Ipv6Bits;
        if (prefixText.Length is 0 or > 3 || !prefixText.All(char.IsAsciiDigit)
            || !int.TryParse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture, out int prefix) || prefix > max)
        {
            error = $"'{text}': the prefix length must be a number from 0 to {max}.";
            return false;
        }

        value = new InterfaceAddress(address, prefix);
        error = null;
        return true;
    }

    /// <summary>"address/prefix".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Address}/{PrefixLength}");
}
