using System.Text.Json;
using System.Text.Json.Serialization;
using Innernet.Core.Model;

namespace Innernet.Core.Contracts;

/// <summary>serde's adjacently tagged enum: <c>{"option":"Set","content":"h:p"}</c> or <c>{"option":"Unset"}</c>.</summary>
internal sealed class EndpointContentsJsonConverter : JsonConverter<EndpointContents>
{
    private const string TagName = "option";
    private const string ContentName = "content";
    private const string SetTag = "Set";
    private const string UnsetTag = "Unset";

    public override EndpointContents Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"Expected {{\"{TagName}\": \"Set\"|\"Unset\", …}}, found {reader.TokenType}.");
        }

        string? tag = null;
        string? content = null;
        bool contentSeen = false;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            string? name = reader.GetString();
            reader.Read();
            if (name == TagName)
            {
                tag = JsonText.ReadString(ref reader, $"'{TagName}'");
            }
            else if (name == ContentName)
            {
                contentSeen = true;
                content = reader.TokenType == JsonTokenType.Null ? null : JsonText.ReadString(ref reader, "an endpoint (host:port)");
            }
            else
            {
                reader.Skip();
            }
        }

        switch (tag)
        {
            case SetTag:
                if (content is null)
                {
                    throw new JsonException($"\"{TagName}\": \"{SetTag}\" needs a \"{ContentName}\" endpoint (host:port).");
                }

                return Endpoint.TryParse(content, out var endpoint, out string? error)
                    ? EndpointContents.Set(endpoint)
                    : throw new JsonException(error);
            case UnsetTag:
                return contentSeen && content is not null
                    ? throw new JsonException($"\"{TagName}\": \"{UnsetTag}\" takes no \"{ContentName}\".")
                    : EndpointContents.Unset;
            case null:
                throw new JsonException($"Missing \"{TagName}\" (\"{SetTag}\" or \"{UnsetTag}\").");
            default:
                throw new JsonException($"Unknown \"{TagName}\" '{tag}'; expected \"{SetTag}\" or \"{UnsetTag}\".");
        }
    }

    public override void Write(Utf8JsonWriter writer, EndpointContents value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStartObject();
        if (value.Endpoint is { } endpoint)
        {
            writer.WriteString(TagName, SetTag);
            writer.WriteString(ContentName, endpoint.ToString());
        }
        else
        {
            writer.WriteString(TagName, UnsetTag);
        }

        writer.WriteEndObject();
    }
}
