using Innernet.Core.Model;
using LiteDB;
using static Innernet.Core.Persistence.StoreMapper;
using F = Innernet.Core.Persistence.StoreSchema.Fields;

namespace Innernet.Core.Persistence;

/// <summary>
/// A row of the <c>peers</c> collection (innernet's <c>peers</c> table). Unlike innernet it also keeps
/// <c>persistent_keepalive_interval</c>, so a peer reads back exactly as it was written.
/// </summary>
internal static class PeerDocument
{
    public static BsonDocument ToBson(Peer peer) => KeyRotationDocument.WithRotations(new()
    {
        [IdField] = peer.Id,
        [F.Name] = peer.Name,
        [F.Ip] = Write(peer.Ip),
        [F.CidrId] = peer.CidrId,
        [F.PublicKey] = Write(peer.PublicKey),
        [F.Endpoint] = Write(peer.Endpoint),
        [F.PersistentKeepaliveInterval] = Write((int?)peer.PersistentKeepaliveInterval),
        [F.IsAdmin] = peer.IsAdmin,
        [F.IsDisabled] = peer.IsDisabled,
        [F.IsRedeemed] = peer.IsRedeemed,
        [F.InviteExpires] = Write(peer.InviteExpires),
        [F.Candidates] = Write(peer.Candidates),
    }, peer.KeyRotations);

    public static Peer ToModel(BsonDocument document)
    {
        long id = ReadInt64(Required(document, IdField), "peer id");
        return new Peer
        {
            Id = id,
            Name = ReadString(Required(document, F.Name), "peer name"),
            Ip = ReadIPAddress(Required(document, F.Ip)),
            CidrId = ReadInt64(Required(document, F.CidrId), "peer CIDR id"),
            PublicKey = ReadKey(Required(document, F.PublicKey)),
            Endpoint = ReadOptionalEndpoint(Optional(document, F.Endpoint)),
            PersistentKeepaliveInterval = ReadOptionalInt64(
                Optional(document, F.PersistentKeepaliveInterval), F.PersistentKeepaliveInterval) switch
            {
                null => null,
                >= 0 and <= ushort.MaxValue and var interval => (ushort)interval,
                var interval => throw new StoreException(
                    $"The database holds an invalid persistent_keepalive_interval {interval} for peer id {id}."),
            },
            IsAdmin = ReadBoolean(Required(document, F.IsAdmin), F.IsAdmin),
            IsDisabled = ReadBoolean(Required(document, F.IsDisabled), F.IsDisabled),
            IsRedeemed = ReadBoolean(Required(document, F.IsRedeemed), F.IsRedeemed),
            InviteExpires = ReadOptionalTime(Optional(document, F.InviteExpires)),
            Candidates = ReadEndpoints(Optional(document, F.Candidates)),
            KeyRotations = KeyRotationDocument.Read(document),
        };
    }
}
