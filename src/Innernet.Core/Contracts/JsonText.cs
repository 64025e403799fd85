using System.Text.Json;

namespace Innernet.Core.Contracts;

internal static class JsonText
{
    /// <summary>
    /// A scratch length for <see cref="TryReadShortString"/> longer than any IP address text or key in base64: those are
    /// read without a string each (a peer cache holds thousands).
    /// </summary>
    public const int ShortText = 64;

    /// <summary>Reads a JSON string token, or throws a JsonException naming what was expected.</summary>
    public static string ReadString(ref Utf8JsonReader reader, string what)
        => reader.TokenType == JsonTokenType.String ? reader.GetString()! : throw NotAString(ref reader, what);

    /// <summary>
    /// Reads a short JSON string token (unescaped) into <paramref name="scratch"/> without allocating a string; false when
    /// its encoded form is longer than <paramref name="scratch"/>, and then the caller reads it with <see cref="ReadString"/>.
    /// </summary>
    /// <exception cref="JsonException">The token is not a string.</exception>
    public static bool TryReadShortString(ref Utf8JsonReader reader, string what, scoped Span<char> scratch, out int length)
    {
        length = 0;
        if (reader.TokenType != JsonTokenType.String)
        {
            throw NotAString(ref reader, what);
        }

        // Unescaped, the characters are never more than the encoded bytes.
        long encoded = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
        if (encoded > scratch.Length)
        {
            return false;
        }

        length = reader.CopyString(scratch);
        return true;
    }

    private static JsonException NotAString(ref Utf8JsonReader reader, string what)
        => new($"Expected {what} as a JSON string, found {reader.TokenType}.");
}
