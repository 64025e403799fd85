using System.Diagnostics.CodeAnalysis;
using Innernet.Netlink.Route;

namespace Innernet.Core.Contracts;

/// <summary>Strict "address/prefix" parsing with messages that say what is wrong.</summary>
internal static class CidrText
{
    public static bool TryParse(string text, out IPNetwork network, [NotNullWhen(false)] out string? error)
    {
        network = default;
        if (!text.Contains('/', StringComparison.Ordinal))
        {
            error = $"'{text}' is not a CIDR: expected address/prefix, e.g. 10.42.0.0/16.";
            return false;
        }

        if (!InterfaceAddress.TryParse(text, out var address, out string? problem))
        {
            // The same strict rules; InterfaceAddress words it "'text': why.", a CIDR "'text' is not a CIDR: why.".
            string quoted = $"'{text}': ";
            error = $"'{text}' is not a CIDR: "
                + $"{(problem.StartsWith(quoted, StringComparison.Ordinal) ? problem[quoted.Length..] : problem)}";
            return false;
        }

        var masked = address.Network;
        if (!masked.BaseAddress.Equals(address.Address))
        {
            error = $"'{text}' is not a CIDR: it has host bits set (did you mean {masked}?).";
            return false;
        }

        network = masked;
        error = null;
        return true;
    }
}
