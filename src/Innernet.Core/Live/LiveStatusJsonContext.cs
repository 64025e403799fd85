using System.Text.Json.Serialization;

namespace Innernet.Core.Live;

/// <summary>The status file's JSON.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, RespectNullableAnnotations = true)]
[JsonSerializable(typeof(LiveStatus))]
internal sealed partial class LiveStatusJsonContext : JsonSerializerContext;
