using System.Buffers;

namespace Innernet.Core.Api;

/// <summary>
/// HTTP entity tags as this client keeps and sends them: <c>[W/]"etagc*"</c>, etagc being a visible ASCII character
/// other than the double quote, at most <see cref="MaxLength"/> characters. A server's tag is untrusted input: one
/// that is not of this form is ignored, never stored or echoed.
/// </summary>
public static class EntityTag
{
    /// <summary>The longest tag kept; a longer one is ignored.</summary>
    public const int MaxLength = 256;

    private const string WeakPrefix = "W/";

    private static readonly SearchValues<char> TagCharacters = SearchValues.Create(
        "!#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    /// <summary>True when <paramref name="tag"/> is a well-formed entity tag of at most <see cref="MaxLength"/> characters.</summary>
    public static bool IsValid(string? tag)
    {
        if (tag is null || tag.Length > MaxLength)
        {
            return false;
        }

        var opaque = tag.AsSpan(tag.StartsWith(WeakPrefix, StringComparison.Ordinal) ? WeakPrefix.Length : 0);
        return opaque.Length >= 2 && opaque[0] == '"' && opaque[^1] == '"' && !opaque[1..^1].ContainsAnyExcept(TagCharacters);
    }
}
