using System.Diagnostics.CodeAnalysis;
using Innernet.Netlink;

namespace Innernet.Core.Model;

/// <summary>A network name is also its WireGuard interface name: a <see cref="Hostname"/> of at most 15 bytes.</summary>
public static class NetworkName
{
    /// <summary>True when <paramref name="name"/> is a valid hostname and interface name.</summary>
    public static bool IsValid([NotNullWhen(true)] string? name) => Hostname.IsValid(name) && InterfaceName.IsValid(name);

    /// <summary>Throws unless <paramref name="name"/> is a valid hostname and interface name.</summary>
    /// <exception cref="ValidationException">The name is invalid; the message says why.</exception>
    public static void Validate([NotNull] string? name, string field = "network name")
    {
        Hostname.Validate(name, field);
        try
        {
            InterfaceName.Validate(name, field);
        }
        catch (ArgumentException e)
        {
            throw new ValidationException($"The {field} '{name}' is not a valid interface name: {e.Message}", e);
        }
    }
}
