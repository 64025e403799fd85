using System.Text.Json.Serialization;
using Innernet.Core.Contracts;

namespace Innernet.Core.Client;

/// <summary>
/// Pretty-printed JSON for the client peer cache, with the API's names and value encodings. The options are attribute
/// arguments, so they cannot be taken from <see cref="InnernetJsonContext"/>: they repeat its policy and converters
/// (without <c>EndpointContents</c>', which the cache does not hold), and a unit test fails when the two drift apart.
/// </summary>
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
