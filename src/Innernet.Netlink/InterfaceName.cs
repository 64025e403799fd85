using System.Text;

namespace Innernet.Netlink;

/// <summary>Validation of network interface names (Linux <c>IFNAMSIZ</c> rules).</summary>
public static class InterfaceName
{
    /// <summary>The longest name the kernel accepts, in bytes (<c>IFNAMSIZ - 1</c>).</summary>
    public const int MaxLength = 15;

    /// <summary>True when <paramref name="name"/> is a usable interface name.</summary>
    public static bool IsValid(string? name) => Problem(name) is null;

    /// <summary>Throws unless <paramref name="name"/> is a usable interface name.</summary>
    /// <exception cref="ArgumentException">The name is empty, longer than 15 bytes, or contains '/', NUL or whitespace.</exception>
    public static void Validate(string? name, string paramName = "name")
    {
        if (Problem(name) is { } problem)
        {
            throw new ArgumentException(problem, paramName);
        }
    }

    private static string? Problem(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "An interface name must not be empty.";
        }

        int bytes = Encoding.UTF8.GetByteCount(name);
        if (bytes > MaxLength)
        {
            return $"Interface name '{name}' is {bytes} bytes; the limit is {MaxLength}.";
        }

        foreach (char c in name)
        {
            if (c == '/' || c == '\0' || char.IsWhiteSpace(c))
            {
                return $"Interface name '{name}' contains '/', NUL or whitespace.";
            }
        }

        return name is "." or ".." ? $"Interface name '{name}' is reserved." : null;
    }
}
