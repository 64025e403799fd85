using Innernet.Core.Model;
using LiteDB;

namespace Innernet.Core.Persistence;

/// <summary>A row of the <c>cidrs</c> collection (innernet's <c>cidrs</c> table; ip and prefix kept together).</summary>
internal sealed class CidrDocument
{
    [BsonId(autoId: false)]
    public long Id { get; set; }

    [BsonField(StoreSchema.Fields.Name)]
    public string Name { get; set; } = string.Empty;

    [BsonField(StoreSchema.Fields.Cidr)]
    public IPNetwork Network { get; set; }

    [BsonField(StoreSchema.Fields.Parent)]
    public long? Parent { get; set; }

    public static CidrDocument From(Cidr cidr) => new()
    {
        Id = cidr.Id,
        Name = cidr.Name,
        Network = cidr.Network,
        Parent = cidr.Parent,
    };

    public Cidr ToModel() => new(Id, Name, Network, Parent);
}
