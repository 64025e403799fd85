using System.Text.Json;
using System.Text.Json.Serialization;
using Innernet.Core.Model;

namespace Innernet.Core.Contracts;

/// <summary>An endpoint as "host:port" text (IPv6 bracketed).</summary>
internal sealed class EndpointJsonConverter : JsonConverter<Endpoint>
{
    public override Endpoint Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        string text = JsonText.ReadString(ref reader, "an endpoint (host:port)");
        return Endpoint.TryParse(text, out var endpoint, out string? error) ? endpoint : throw new JsonException(error);
    }

    public override void Write(Utf8JsonWriter writer, Endpoint value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStringValue(value.ToString());
    }
}
