using System.Text.Json;
using System.Text.Json.Serialization;

namespace Innernet.Core.Contracts;

/// <summary>A CIDR as "address/prefix" text; host bits must be zero.</summary>
internal sealed class IPNetworkJsonConverter : JsonConverter<IPNetwork>
{
    public override IPNetwork Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        string text = JsonText.ReadString(ref reader, "a CIDR");
        return CidrText.TryParse(text, out var network, out string? error) ? network : throw new JsonException(error);
    }

    public override void Write(Utf8JsonWriter writer, IPNetwork value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.ToString());
    }
}
