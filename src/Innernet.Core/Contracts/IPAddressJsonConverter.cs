using System.Text.Json;
using System.Text.Json.Serialization;

namespace Innernet.Core.Contracts;

/// <summary>An IP address as plain text ("10.42.1.2", "fd00::2"), no prefix, no scope.</summary>
internal sealed class IPAddressJsonConverter : JsonConverter<IPAddress>
{
    private const string What = "an IP address";

    public override IPAddress Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        Span<char> scratch = stackalloc char[JsonText.ShortText];
        ReadOnlySpan<char> text = JsonText.TryReadShortString(ref reader, What, scratch, out int length)
            ? scratch[..length]
            : JsonText.ReadString(ref reader, What);
        return text.Contains('%') || text.Contains('/') || !IPAddress.TryParse(text, out var address)
            ? throw new JsonException($"'{text}' is not an IP address (expected e.g. 10.42.1.2 or fd00::2, without prefix).")
            : address;
    }

    public override void Write(Utf8JsonWriter writer, IPAddress value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStringValue(value.ToString());
    }
}
