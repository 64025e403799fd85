using Innernet.Core.Model;
using Innernet.Netlink.WireGuard;
using LiteDB;

namespace Innernet.Core.Persistence;

/// <summary>
/// A row of the <c>peers</c> collection (innernet's <c>peers</c> table). Unlike innernet it also keeps
/// <c>persistent_keepalive_interval</c>, so a peer reads back exactly as it was written.
/// </summary>
internal sealed class PeerDocument
{
    [BsonId(autoId: false)]
    public long Id { get; set; }

    [BsonField(StoreSchema.Fields.Name)]
    public string Name { get; set; } = string.Empty;

    [BsonField(StoreSchema.Fields.Ip)]
    public IPAddress Ip { get; set; } = IPAddress.None;

    [BsonField(StoreSchema.Fields.CidrId)]
    public long CidrId { get; set; }

    [BsonField(StoreSchema.Fields.PublicKey)]
    public WireGuardKey PublicKey { get; set; }

    [BsonField(StoreSchema.Fields.Endpoint)]
    public Endpoint? Endpoint { get; set; }

    [BsonField(StoreSchema.Fields.PersistentKeepaliveInterval)]
    public int? PersistentKeepaliveInterval { get; set; }

    [BsonField(StoreSchema.Fields.IsAdmin)]
    public bool IsAdmin { get; set; }

    [BsonField(StoreSchema.Fields.IsDisabled)]
    public bool IsDisabled { get; set; }

    [BsonField(StoreSchema.Fields.IsRedeemed)]
    public bool IsRedeemed { get; set; }

    [BsonField(StoreSchema.Fields.InviteExpires)]
    public DateTimeOffset? InviteExpires { get; set; }

    [BsonField(StoreSchema.Fields.Candidates)]
    public Endpoint[] Candidates { get; set; } = [];

    public static PeerDocument From(Peer peer) => new()
    {
        Id = peer.Id,
        Name = peer.Name,
        Ip = peer.Ip,
        CidrId = peer.CidrId,
        PublicKey = peer.PublicKey,
        Endpoint = peer.Endpoint,
        PersistentKeepaliveInterval = peer.PersistentKeepaliveInterval,
        IsAdmin = peer.IsAdmin,
        IsDisabled = peer.IsDisabled,
        IsRedeemed = peer.IsRedeemed,
        InviteExpires = peer.InviteExpires,
        Candidates = [.. peer.Candidates],
    };

    public Peer ToModel() => new()
    {
        Id = Id,
        Name = Name,
        Ip = Ip,
        CidrId = CidrId,
        PublicKey = PublicKey,
        Endpoint = Endpoint,
        PersistentKeepaliveInterval = PersistentKeepaliveInterval switch
        {
            null => null,
            >= 0 and <= ushort.MaxValue => (ushort)PersistentKeepaliveInterval.Value,
            _ => throw new StoreException(
                $"The database holds an invalid persistent_keepalive_interval {PersistentKeepaliveInterval} for peer id {Id}."),
        },
        IsAdmin = IsAdmin,
        IsDisabled = IsDisabled,
        IsRedeemed = IsRedeemed,
        InviteExpires = InviteExpires,
        Candidates = Array.AsReadOnly(Candidates ?? []),
    };
}
