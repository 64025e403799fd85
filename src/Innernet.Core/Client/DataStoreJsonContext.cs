using System.Text.Json;
using System.Text.Json.Serialization;
using Innernet.Core.Contracts;

namespace Innernet.Core.Client;

/// <summary>
/// Source-generated metadata for the client peer cache. Its JSON is the API's (<see cref="InnernetJsonContext"/>: names,
/// value encodings, null and required rules), pretty-printed as innernet writes the file: use <see cref="Cache"/>, whose
/// options are a copy of the API's with indentation, never <c>Default</c> (System.Text.Json's defaults).
/// </summary>
[JsonSerializable(typeof(DataStoreContents))]
internal sealed partial class DataStoreJsonContext : JsonSerializerContext
{
    /// <summary>The cache file's JSON: the API's options, indented.</summary>
    public static DataStoreJsonContext Cache { get; } =
        new(new JsonSerializerOptions(InnernetJsonContext.Default.Options) { TypeInfoResolver = null, WriteIndented = true });
}
