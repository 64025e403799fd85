using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Innernet.Core.IO;

namespace Innernet.Core.Contracts;

/// <summary>
/// (De)serializes the API contract types with <see cref="InnernetJsonContext"/>. Any type registered there
/// works (Peer, PeerContents, Cidr, CidrContents, Association, AssociationContents, State, RedeemContents,
/// EndpointContents, ServerCapabilities, Endpoint and the lists of them).
/// </summary>
public static class InnernetJson
{
    /// <summary>
    /// Compact UTF-8 JSON, as the API sends it. Written in chunks and copied once into the result
    /// (<see cref="ChunkedBufferWriter"/>): the server's bodies are megabytes at 10,000 peers, and the serializer's own
    /// byte array would come from a pool that keeps its largest buffers (so does the client's peer cache).
    /// </summary>
    public static byte[] SerializeToUtf8Bytes<T>(T value) => SerializeToUtf8Bytes(value, TypeInfo<T>());

    /// <summary>Compact UTF-8 JSON of <paramref name="value"/> by <paramref name="typeInfo"/>, written as above.</summary>
    internal static byte[] SerializeToUtf8Bytes<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        var options = typeInfo.Options;
        var buffer = new ChunkedBufferWriter();
        var writerOptions = new JsonWriterOptions
        {
            // What the serializer's own writer would take from its options (an explicit writer does not read them).
            Encoder = options.Encoder,
            Indented = options.WriteIndented,
            IndentCharacter = options.IndentCharacter,
            IndentSize = options.IndentSize,
            NewLine = options.NewLine,
            MaxDepth = options.MaxDepth,
        };
        using (var writer = new Utf8JsonWriter(buffer, writerOptions))
        {
            JsonSerializer.Serialize(writer, value, typeInfo);
        }

        return buffer.ToArray();
    }

    /// <summary>Compact JSON text.</summary>
    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, TypeInfo<T>());

    /// <summary>Parses JSON text.</summary>
    /// <exception cref="JsonException">The JSON is malformed or does not match <typeparamref name="T"/>; the message says
    /// where.</exception>
    public static T Deserialize<T>(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return JsonSerializer.Deserialize(json, TypeInfo<T>()) ?? throw NullValue<T>();
    }

    /// <summary>Parses UTF-8 JSON.</summary>
    /// <exception cref="JsonException">The JSON is malformed or does not match <typeparamref name="T"/>; the message says
    /// where.</exception>
    public static T Deserialize<T>(ReadOnlySpan<byte> utf8Json)
        => JsonSerializer.Deserialize(utf8Json, TypeInfo<T>()) ?? throw NullValue<T>();

    /// <summary>The generated metadata for <typeparamref name="T"/>.</summary>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not an innernet contract type.</exception>
    public static JsonTypeInfo<T> TypeInfo<T>()
        => InnernetJsonContext.Default.GetTypeInfo(typeof(T)) as JsonTypeInfo<T>
            ?? throw new NotSupportedException($"{typeof(T).Name} is not an innernet API contract type.");

    private static JsonException NullValue<T>() => new($"Expected a {typeof(T).Name} object, found null.");
}
