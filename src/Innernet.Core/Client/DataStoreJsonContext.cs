using System.Text.Json.Serialization;
using Innernet.Core.Contracts;

namespace Innernet.Core.Client;

/// <summary>Pretty-printed JSON for the client peer cache, with the API's value encodings.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    WriteIndented = true,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    Converters =
    [
        typeof(IPAddressJsonConverter),
        typeof(IPNetworkJsonConverter),
        typeof(WireGuardKeyJsonConverter),
        typeof(EndpointJsonConverter),
        typeof(SystemTimeJsonConverter),
    ])]
[JsonSerializable(typeof(DataStoreContents))]
internal sealed partial class DataStoreJsonContext : JsonSerializerContext;
