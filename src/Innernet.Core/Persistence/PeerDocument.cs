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

    /// <summary>
    /// The peer in a row. The fields are taken in one pass over the row, matched by their exact names; a row with any
    /// other field name (another program's, or one of these in other case, which LiteDB's lookups accept) is read by
    /// lookups instead. Either way a field is checked when the peer's initializer gets to it, so a damaged row fails
    /// with the same error. At 1,000 peers a dozen case-insensitive lookups a row cost more than the rest of the mapping.
    /// </summary>
    public static Peer ToModel(BsonDocument document)
    {
        var row = default(Row);
        foreach (var (key, value) in document)
        {
            if (!row.Take(key, value))
            {
                row = Row.Lookup(document);
                break;
            }
        }

        long id = ReadInt64(Required(row.Id, document, IdField), "peer id");
        return new Peer
        {
            Id = id,
            Name = ReadString(Required(row.Name, document, F.Name), "peer name"),
            Ip = ReadIPAddress(Required(row.Ip, document, F.Ip)),
            CidrId = ReadInt64(Required(row.CidrId, document, F.CidrId), "peer CIDR id"),
            PublicKey = ReadKey(Required(row.PublicKey, document, F.PublicKey)),
            Endpoint = ReadOptionalEndpoint(row.Endpoint ?? BsonValue.Null),
            PersistentKeepaliveInterval = ReadOptionalInt64(
                row.Keepalive ?? BsonValue.Null, F.PersistentKeepaliveInterval) switch
            {
                null => null,
                >= 0 and <= ushort.MaxValue and var interval => (ushort)interval,
                var interval => throw new StoreException(
                    $"The database holds an invalid persistent_keepalive_interval {interval} for peer id {id}."),
            },
            IsAdmin = ReadBoolean(Required(row.IsAdmin, document, F.IsAdmin), F.IsAdmin),
            IsDisabled = ReadBoolean(Required(row.IsDisabled, document, F.IsDisabled), F.IsDisabled),
            IsRedeemed = ReadBoolean(Required(row.IsRedeemed, document, F.IsRedeemed), F.IsRedeemed),
            InviteExpires = ReadOptionalTime(row.InviteExpires ?? BsonValue.Null),
            Candidates = ReadEndpoints(row.Candidates ?? BsonValue.Null),
            KeyRotations = KeyRotationDocument.Read(row.KeyRotations ?? BsonValue.Null),
        };
    }

    /// <summary>A row's fields (null: absent).</summary>
    private struct Row
    {
        /// <summary>The names <see cref="Take"/> knows.</summary>
        private static readonly string[] Names =
        [
            IdField, F.Name, F.Ip, F.CidrId, F.PublicKey, F.Endpoint, F.PersistentKeepaliveInterval, F.IsAdmin, F.IsDisabled,
            F.IsRedeemed, F.InviteExpires, F.Candidates, KeyRotationDocument.Field,
        ];

        public BsonValue? Id;
        public BsonValue? Name;
        public BsonValue? Ip;
        public BsonValue? CidrId;
        public BsonValue? PublicKey;
        public BsonValue? Endpoint;
        public BsonValue? Keepalive;
        public BsonValue? IsAdmin;
        public BsonValue? IsDisabled;
        public BsonValue? IsRedeemed;
        public BsonValue? InviteExpires;
        public BsonValue? Candidates;
        public BsonValue? KeyRotations;

        /// <summary>Every field looked up by name (case-insensitively, as LiteDB's documents compare their keys).</summary>
        public static Row Lookup(BsonDocument document)
        {
            var row = default(Row);
            foreach (string field in Names)
            {
                if (document.TryGetValue(field, out var value))
                {
                    row.Take(field, value);
                }
            }

            return row;
        }

        /// <summary>Keeps the field <paramref name="key"/>; false for a name that is none of a peer row's.</summary>
        public bool Take(string key, BsonValue value)
        {
            switch (key)
            {
                case IdField: Id = value; break;
                case F.Name: Name = value; break;
                case F.Ip: Ip = value; break;
                case F.CidrId: CidrId = value; break;
                case F.PublicKey: PublicKey = value; break;
                case F.Endpoint: Endpoint = value; break;
                case F.PersistentKeepaliveInterval: Keepalive = value; break;
                case F.IsAdmin: IsAdmin = value; break;
                case F.IsDisabled: IsDisabled = value; break;
                case F.IsRedeemed: IsRedeemed = value; break;
                case F.InviteExpires: InviteExpires = value; break;
                case F.Candidates: Candidates = value; break;
                case KeyRotationDocument.Field: KeyRotations = value; break;
                default: return false;
            }

            return true;
        }
    }
}
