using System.Text.Json;
using System.Text.Json.Serialization;
using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Contracts;

/// <summary>A WireGuard key as standard base64 (44 characters). The value is never echoed in errors.</summary>
internal sealed class WireGuardKeyJsonConverter : JsonConverter<WireGuardKey>
{
    private const string What = "a WireGuard key";

    public override WireGuardKey Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        Span<char> scratch = stackalloc char[JsonText.ShortText];
        ReadOnlySpan<char> text = JsonText.TryReadShortString(ref reader, What, scratch, out int length)
            ? scratch[..length]
            : JsonText.ReadString(ref reader, What);
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
