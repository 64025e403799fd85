using System.Text.Json.Serialization;
using Innernet.Core.Model;

namespace Innernet.Core.Contracts;

/// <summary>
/// Source-generated System.Text.Json metadata for innernet's HTTP API JSON (docs/api.md): snake_case names,
/// IPs and CIDRs as text, keys in base64, <c>invite_expires</c> as a SystemTime object, EndpointContents
/// adjacently tagged, missing optional fields read as null, unknown fields ignored. Register it in ASP.NET
/// with <c>options.SerializerOptions.TypeInfoResolverChain.Insert(0, InnernetJsonContext.Default)</c>.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    Converters =
    [
        typeof(IPAddressJsonConverter),
        typeof(IPNetworkJsonConverter),
        typeof(WireGuardKeyJsonConverter),
        typeof(EndpointJsonConverter),
        typeof(SystemTimeJsonConverter),
        typeof(EndpointContentsJsonConverter),
    ])]
[JsonSerializable(typeof(Peer))]
[JsonSerializable(typeof(PeerContents))]
[JsonSerializable(typeof(Cidr))]
[JsonSerializable(typeof(CidrContents))]
[JsonSerializable(typeof(Association))]
[JsonSerializable(typeof(AssociationContents))]
[JsonSerializable(typeof(State))]
[JsonSerializable(typeof(StateUpdate))]
[JsonSerializable(typeof(RedeemContents))]
[JsonSerializable(typeof(RotateKeyContents))]
[JsonSerializable(typeof(EndpointContents))]
[JsonSerializable(typeof(ServerCapabilities))]
[JsonSerializable(typeof(Endpoint))]
[JsonSerializable(typeof(List<Peer>))]
[JsonSerializable(typeof(IReadOnlyList<ReservedIp>))]
[JsonSerializable(typeof(List<ReservedIp>))]
[JsonSerializable(typeof(IReadOnlyList<AuditEntry>))]
[JsonSerializable(typeof(List<AuditEntry>))]
[JsonSerializable(typeof(List<Cidr>))]
[JsonSerializable(typeof(List<Association>))]
[JsonSerializable(typeof(List<Endpoint>))]
[JsonSerializable(typeof(IReadOnlyList<Peer>))]
[JsonSerializable(typeof(IReadOnlyList<Cidr>))]
[JsonSerializable(typeof(IReadOnlyList<Association>))]
[JsonSerializable(typeof(IReadOnlyList<Endpoint>))]
public sealed partial class InnernetJsonContext : JsonSerializerContext;
