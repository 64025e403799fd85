using System.Text.Json.Serialization;

namespace Innernet.Core.Model;

/// <summary>An association to create: JSON <c>{"cidr_id_1", "cidr_id_2"}</c>.</summary>
public sealed record AssociationContents(
    [property: JsonPropertyName("cidr_id_1")] long CidrId1,
    [property: JsonPropertyName("cidr_id_2")] long CidrId2)
{
    /// <summary>This association with an id.</summary>
    public Association WithId(long id) => new(id, CidrId1, CidrId2);
}
