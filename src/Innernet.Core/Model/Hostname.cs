using System.Diagnostics.CodeAnalysis;

namespace Innernet.Core.Model;

/// <summary>
/// innernet's hostname rule for peer, CIDR and network names: <c>^([a-z0-9]-?)*[a-z0-9]$</c> and shorter
/// than 64 characters (lowercase ASCII letters and digits, single dashes inside, no leading or trailing dash).
/// </summary>
public static class Hostname
{
    /// <summary>Names must be strictly shorter than this.</summary>
    public const int MaxLengthExclusive = 64;

    /// <summary>True when <paramref name="name"/> follows the rule.</summary>
    public static bool IsValid([NotNullWhen(true)] string? name) => Problem(name, "name") is null;

    /// <summary>Throws unless <paramref name="name"/> follows the rule.</summary>
    /// <param name="name">The name to check.</param>
    /// <param name="field">What the name is, for the message (e.g. "peer name").</param>
    /// <exception cref="ValidationException">The name breaks the rule; the message says how.</exception>
    public static void Validate([NotNull] string? name, string field = "name")
    {
        if (name is null || Problem(name, field) is not null)
        {
            throw new ValidationException(Problem(name, field)!);
        }
    }

    internal static string? Problem(string? name, string field)
    {
        if (string.IsNullOrEmpty(name))
        {
            return $"The {field} must not be empty.";
        }

        if (name.Length >= MaxLengthExclusive)
        {
            return $"The {field} '{name}' is {name.Length} characters long; it must be shorter than {MaxLengthExclusive}.";
        }

        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (c == '-')
            {
                if (i == 0 || i == name.Length - 1)
                {
                    return $"The {field} '{name}' must not start or end with '-'.";
                }

                if (name[i - 1] == '-')
                {
                    return $"The {field} '{name}' must not contain consecutive dashes.";
                }
            }
            else if (!char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c))
            {
                return $"The {field} '{name}' contains '{c}'; only lowercase letters a-z, digits and single dashes are allowed.";
            }
        }

        return null;
    }
}
