using System.Text.Json;
using System.Text.Json.Serialization;

namespace Innernet.Core.Contracts;

/// <summary>An IP address as plain text ("10.42.1.2", "fd00::2"), no prefix, no scope.</summary>
internal sealed class IPAddressJsonConverter : JsonConverter<IPAddress>
{
    public override IPAddress Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        string text = JsonText.ReadString(ref reader, "an IP address");
        return text.Contains('%', StringComparison.Ordinal) || text.Contains('/', StringComparison.Ordinal)
            || !IPAddress.TryParse(text, out var address)
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
