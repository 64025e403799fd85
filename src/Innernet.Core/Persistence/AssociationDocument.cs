using System.Globalization;
using Innernet.Core.Model;
using LiteDB;

namespace Innernet.Core.Persistence;

/// <summary>
/// A row of the <c>associations</c> collection. The ids are kept in the order they were given (innernet
/// echoes them so); <see cref="Pair"/> is the normalized "low:high" key whose unique index forbids the
/// same pair in either order.
/// </summary>
internal sealed class AssociationDocument
{
    [BsonId(autoId: false)]
    public long Id { get; set; }

    [BsonField(StoreSchema.Fields.CidrId1)]
    public long CidrId1 { get; set; }

    [BsonField(StoreSchema.Fields.CidrId2)]
    public long CidrId2 { get; set; }

    [BsonField(StoreSchema.Fields.Pair)]
    public string Pair { get; set; } = string.Empty;

    public static AssociationDocument From(Association association) => new()
    {
        Id = association.Id,
        CidrId1 = association.CidrId1,
        CidrId2 = association.CidrId2,
        Pair = PairKey(association.CidrId1, association.CidrId2),
    };

    /// <summary>The same key for (a, b) and (b, a).</summary>
    public static string PairKey(long a, long b)
        => string.Create(CultureInfo.InvariantCulture, $"{Math.Min(a, b)}:{Math.Max(a, b)}");

    public Association ToModel() => new(Id, CidrId1, CidrId2);
}
