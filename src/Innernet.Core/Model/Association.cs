using System.Text.Json.Serialization;

namespace Innernet.Core.Model;

/// <summary>A symmetric visibility link between two CIDR subtrees: JSON <c>{"id", "cidr_id_1", "cidr_id_2"}</c>.</summary>
public sealed record Association(
    long Id,
    [property: JsonPropertyName("cidr_id_1")] long CidrId1,
    [property: JsonPropertyName("cidr_id_2")] long CidrId2)
{
    /// <summary>The fields without the id.</summary>
    [JsonIgnore]
    public AssociationContents Contents => new(CidrId1, CidrId2);

    /// <summary>True when the association links <paramref name="a"/> and <paramref name="b"/>, in either order.</summary>
    public bool Links(long a, long b) => (CidrId1 == a && CidrId2 == b) || (CidrId1 == b && CidrId2 == a);
}
