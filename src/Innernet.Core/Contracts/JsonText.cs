using System.Text.Json;

namespace Innernet.Core.Contracts;

internal static class JsonText
{
    /// <summary>Reads a JSON string token, or throws a JsonException naming what was expected.</summary>
    public static string ReadString(ref Utf8JsonReader reader, string what)
        => reader.TokenType == JsonTokenType.String
            ? reader.GetString()!
            : throw new JsonException($"Expected {what} as a JSON string, found {reader.TokenType}.");
}
