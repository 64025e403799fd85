using Innernet.Core.Model;
using LiteDB;
using static Innernet.Core.Persistence.StoreMapper;
using F = Innernet.Core.Persistence.StoreSchema.Fields;

namespace Innernet.Core.Persistence;

/// <summary>A row of the <c>cidrs</c> collection (innernet's <c>cidrs</c> table; ip and prefix kept together).</summary>
internal static class CidrDocument
{
    public static BsonDocument ToBson(Cidr cidr) => new()
    {
        [IdField] = cidr.Id,
        [F.Name] = cidr.Name,
        [F.Cidr] = Write(cidr.Network),
        [F.Parent] = Write(cidr.Parent),
    };

    public static Cidr ToModel(BsonDocument document) => new(
        ReadInt64(Required(document, IdField), "CIDR id"),
        ReadString(Required(document, F.Name), "CIDR name"),
        ReadIPNetwork(Required(document, F.Cidr)),
        ReadOptionalInt64(Optional(document, F.Parent), "parent CIDR id"));
}
