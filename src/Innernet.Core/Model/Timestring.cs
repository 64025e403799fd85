using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Innernet.Core.Model;

/// <summary>
/// innernet's duration syntax: an integer followed by <c>s</c>, <c>m</c>, <c>h</c>, <c>d</c> or <c>w</c>
/// (e.g. <c>30d</c>, <c>7w</c>, <c>1000s</c>); at least two characters.
/// </summary>
public static class Timestring
{
    private const int MinLength = 2;

    /// <summary>Parses a timestring.</summary>
    /// <exception cref="ValidationException">The text is not a timestring; the message says why.</exception>
    public static TimeSpan Parse(string text)
        => TryParse(text, out var value, out var error) ? value : throw new ValidationException(error);

    /// <summary>Tries to parse a timestring.</summary>
    public static bool TryParse(string? text, out TimeSpan value) => TryParse(text, out value, out _);

    /// <summary>Tries to parse a timestring; on failure <paramref name="error"/> says why.</summary>
    public static bool TryParse(string? text, out TimeSpan value, [NotNullWhen(false)] out string? error)
    {
        value = default;
        if (text is null || text.Length < MinLength)
        {
            error = $"Timestring '{text}' is too short; expected a number followed by s, m, h, d or w (e.g. 30d).";
            return false;
        }

        string digits = text[..^1];
        if (!digits.All(char.IsAsciiDigit)
            || !ulong.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out ulong amount))
        {
            error = $"Timestring '{text}' must start with a whole number (e.g. 30d).";
            return false;
        }

        ulong secondsPerUnit = text[^1] switch
        {
            's' => 1,
            'm' => 60,
            'h' => 60 * 60,
            'd' => 24 * 60 * 60,
            'w' => 7 * 24 * 60 * 60,
            _ => 0,
        };
        if (secondsPerUnit == 0)
        {
            error = $"Timestring '{text}' has unknown unit '{text[^1]}'; use s, m, h, d or w.";
            return false;
        }

        ulong maxAmount = (ulong)TimeSpan.MaxValue.TotalSeconds / secondsPerUnit;
        if (amount > maxAmount)
        {
            error = $"Timestring '{text}' is too long a duration.";
            return false;
        }

        value = TimeSpan.FromSeconds((long)(amount * secondsPerUnit));
        error = null;
        return true;
    }
}
