using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Innernet.Netlink.Route;

namespace Innernet.Core.Contracts;

/// <summary>Strict "address/prefix" parsing with messages that say what is wrong.</summary>
internal static class CidrText
{
    public static bool TryParse(string text, out IPNetwork network, [NotNullWhen(false)] out string? error)
    {
        network = default;
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            error = $"'{text}' is not a CIDR: expected address/prefix, e.g. 10.42.0.0/16.";
            return false;
        }

        string addressText = text[..slash];
        string prefixText = text[(slash + 1)..];
        if (addressText.Contains('%', StringComparison.Ordinal) || !IPAddress.TryParse(addressText, out var address))
        {
            error = $"'{text}' is not a CIDR: '{addressText}' is not an IP address.";
            return false;
        }

        int maxBits = InterfaceAddress.MaxPrefix(address);
        if (prefixText.Length is 0 or > 3 || !prefixText.All(char.IsAsciiDigit)
            || !int.TryParse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture, out int prefix) || prefix > maxBits)
        {
            error = $"'{text}' is not a CIDR: the prefix length must be a number from 0 to {maxBits}.";
            return false;
        }

        var masked = new InterfaceAddress(address, prefix).Network;
        if (!masked.BaseAddress.Equals(address))
        {
            error = $"'{text}' is not a CIDR: it has host bits set (did you mean {masked}?).";
            return false;
        }

        network = masked;
        error = null;
        return true;
    }
}
