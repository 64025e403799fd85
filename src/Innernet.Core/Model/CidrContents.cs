using System.Text.Json.Serialization;

namespace Innernet.Core.Model;

/// <summary>A CIDR to create: JSON <c>{"name", "cidr", "parent"}</c>.</summary>
/// <param name="Name">Hostname-style name, unique.</param>
/// <param name="Network">The range (JSON <c>cidr</c>, "a.b.c.d/len").</param>
/// <param name="Parent">Parent CIDR id; null only for the root.</param>
public sealed record CidrContents(
    string Name,
    [property: JsonPropertyName("cidr")] IPNetwork Network,
    long? Parent = null)
{
    /// <summary>This CIDR with an id.</summary>
    public Cidr WithId(long id) => new(id, Name, Network, Parent);
}
