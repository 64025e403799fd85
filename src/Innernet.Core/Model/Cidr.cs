using System.Text.Json.Serialization;

namespace Innernet.Core.Model;

/// <summary>A CIDR of the network tree: JSON <c>{"id", "name", "cidr", "parent"}</c>.</summary>
/// <param name="Id">Database id; 1 is the root, 2 the infra CIDR.</param>
/// <param name="Name">Hostname-style name, unique.</param>
/// <param name="Network">The range (JSON <c>cidr</c>, "a.b.c.d/len"). A C# member cannot be named like its type.</param>
/// <param name="Parent">Parent CIDR id; null only for the root.</param>
public sealed record Cidr(
    long Id,
    string Name,
    [property: JsonPropertyName("cidr")] IPNetwork Network,
    long? Parent = null)
{
    /// <summary>Id of the root CIDR (the whole network), fixed by innernet.</summary>
    public const long RootId = 1;

    /// <summary>Id of the infra CIDR holding the server, fixed by innernet; every peer can see it.</summary>
    public const long InfraId = 2;

    /// <summary>The fields without the id.</summary>
    [JsonIgnore]
    public CidrContents Contents => new(Name, Network, Parent);

    /// <summary>"name (a.b.c.d/len)" for messages.</summary>
    public override string ToString() => $"{Name} ({Network})";
}
