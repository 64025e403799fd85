using System.Globalization;
using Innernet.Core.Model;
using LiteDB;
using static Innernet.Core.Persistence.StoreMapper;
using F = Innernet.Core.Persistence.StoreSchema.Fields;

namespace Innernet.Core.Persistence;

/// <summary>
/// A row of the <c>associations</c> collection. The ids are kept in the order they were given (innernet
/// echoes them so); <see cref="StoreSchema.Fields.Pair"/> is the normalized "low:high" key whose unique index
/// forbids the same pair in either order.
/// </summary>
internal static class AssociationDocument
{
    public static BsonDocument ToBson(Association association) => new()
    {
        [IdField] = association.Id,
        [F.CidrId1] = association.CidrId1,
        [F.CidrId2] = association.CidrId2,
        [F.Pair] = PairKey(association.CidrId1, association.CidrId2),
    };

    /// <summary>The same key for (a, b) and (b, a).</summary>
    public static string PairKey(long a, long b)
        => string.Create(CultureInfo.InvariantCulture, $"{Math.Min(a, b)}:{Math.Max(a, b)}");

    public static Association ToModel(BsonDocument document) => new(
        ReadInt64(Required(document, IdField), "association id"),
        ReadInt64(Required(document, F.CidrId1), "association CIDR id"),
        ReadInt64(Required(document, F.CidrId2), "association CIDR id"));
}
