using System.Text.Json;
using System.Text.Json.Serialization;
using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Contracts;

/// <summary>A WireGuard key as standard base64 (44 characters). The value is never echoed in errors.</summary>
internal sealed class WireGuardKeyJsonConverter : JsonConverter<WireGuardKey>
{
    public override WireGuardKey Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        string text = JsonText.ReadString(ref reader, "a WireGuard key");
        return WireGuardKey.TryParse(text, out var key)
            ? key
            : throw new JsonException(
                $"Invalid WireGuard key ({text.Length} characters): expected 44 characters of base64 encoding exactly 32 bytes.");
    }

    public override void Write(Utf8JsonWriter writer, WireGuardKey value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.ToBase64());
    }
}
