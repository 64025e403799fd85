using Innernet.Core.Model;
using Innernet.Core.Persistence;
using Innernet.Netlink.WireGuard;
using LiteDB;

namespace Innernet.Core.Tests.Persistence;

/// <summary>
/// The on-disk format. <c>Golden/DataStore/store-v1.db</c> was written by the store as of commit bb7a6dd (LiteDB's
/// reflection-based <c>BsonMapper</c>) running <see cref="WriteGoldenRows"/>: a database of today's format must open
/// unchanged, and the same writes must still produce the same documents, byte for byte.
/// </summary>
public sealed class StoreFormatTests
{
    private static readonly string[] Collections = ["cidrs", "peers", "associations", "meta"];

    [Fact]
    public void Open_FileWrittenByTheReflectionMapper_ReadsEveryField()
    {
        using var temp = CopyOfGolden();
        using var store = ServerStore.Open(temp.Path);

        Assert.Equal(
            [
                new Cidr(1, "golden", IPNetwork.Parse("10.66.0.0/16"), null),
                new Cidr(2, "innernet-server", IPNetwork.Parse("10.66.0.1/32"), 1),
                new Cidr(3, "humans", IPNetwork.Parse("10.66.1.0/24"), 1),
                new Cidr(4, "admins", IPNetwork.Parse("10.66.1.128/25"), 3),
                new Cidr(5, "robots", IPNetwork.Parse("10.66.2.0/24"), 1),
            ],
            store.ListCidrs());
        Assert.Equal([new Association(2, 5, 4), new Association(3, 4, 2)], store.ListAssociations());
        Assert.Equal(
            [
                Peer(1, "innernet-server", "10.66.0.1", 2, 1) with { Endpoint = Endpoint.Parse("vpn.example.com:51820"), IsAdmin = true },
                Peer(2, "alice", "10.66.1.130", 4, 2) with
                {
                    Endpoint = Endpoint.Parse("198.51.100.4:51820"),
                    PersistentKeepaliveInterval = 25,
                    IsAdmin = true,
                    Candidates = [Endpoint.Parse("192.168.1.20:51820"), Endpoint.Parse("[2001:db8::4]:51821")],
                },
                Peer(3, "bob", "10.66.1.2", 3, 3) with { IsDisabled = true },
                Peer(4, "carol", "10.66.1.3", 3, 4) with
                {
                    IsRedeemed = false,
                    InviteExpires = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000),
                },
                Peer(5, "dave", "10.66.2.7", 5, 5) with
                {
                    Endpoint = Endpoint.Parse("[2001:db8::7]:4000"),
                    PersistentKeepaliveInterval = 0,
                    Candidates = [Endpoint.Parse("10.0.0.9:4000")],
                },
            ],
            store.ListPeers());
    }

    [Fact]
    public void Open_FileWrittenByTheReflectionMapper_ContinuesItsIdSequences()
    {
        using var temp = CopyOfGolden();
        using var store = ServerStore.Open(temp.Path);

        // The highest ids handed out were cidr 5, peer 6 (eve, deleted) and association 3; none is reused.
        Assert.Equal(6, store.AddCidr(new CidrContents("more", IPNetwork.Parse("10.66.3.0/24"), Cidr.RootId)).Id);
        Assert.Equal(4, store.AddAssociation(new AssociationContents(3, 5)).Id);
        Assert.Equal(7, store.AddPeer(new PeerContents
        {
            Name = "frank", Ip = IPAddress.Parse("10.66.3.1"), CidrId = 6, PublicKey = Key(9), IsRedeemed = true,
        }).Id);
    }

    [Fact]
    public void Create_SameWritesAsTheGoldenFile_StoresByteIdenticalDocumentsAndIndexes()
    {
        using var temp = new TempDatabase();
        using (var store = CreateGoldenNetwork(temp.Path))
        {
            WriteGoldenRows(store);
        }

        foreach (string collection in Collections)
        {
            Assert.Equal(RawDocuments(Golden.PathOf(GoldenFile), collection), RawDocuments(temp.Path, collection));
        }

        Assert.Equal(Indexes(Golden.PathOf(GoldenFile)), Indexes(temp.Path));
    }

    [Fact]
    public void Mappers_GoldenDocuments_ReadAndWriteBackByteIdentical()
    {
        var cidrs = Documents(Golden.PathOf(GoldenFile), "cidrs");
        var peers = Documents(Golden.PathOf(GoldenFile), "peers");
        var associations = Documents(Golden.PathOf(GoldenFile), "associations");

        Assert.Equal(cidrs.Select(Bytes), cidrs.Select(d => Bytes(CidrDocument.ToBson(CidrDocument.ToModel(d)))));
        Assert.Equal(peers.Select(Bytes), peers.Select(d => Bytes(PeerDocument.ToBson(PeerDocument.ToModel(d)))));
        Assert.Equal(
            associations.Select(Bytes),
            associations.Select(d => Bytes(AssociationDocument.ToBson(AssociationDocument.ToModel(d)))));
    }

    /// <summary>The rows of the golden file, written through the public API (so any build can write them again).</summary>
    internal static void WriteGoldenRows(ServerStore store)
    {
        var humans = store.AddCidr(new CidrContents("humans", IPNetwork.Parse("10.66.1.0/24"), Cidr.RootId));
        var admins = store.AddCidr(new CidrContents("admins", IPNetwork.Parse("10.66.1.128/25"), humans.Id));
        var robots = store.AddCidr(new CidrContents("robots", IPNetwork.Parse("10.66.2.0/24"), Cidr.RootId));
        var gone = store.AddAssociation(new AssociationContents(humans.Id, robots.Id));
        store.AddAssociation(new AssociationContents(robots.Id, admins.Id));
        store.DeleteAssociation(gone.Id);
        store.AddAssociation(new AssociationContents(admins.Id, Cidr.InfraId));
        store.AddPeer(new PeerContents
        {
            Name = "alice", Ip = IPAddress.Parse("10.66.1.130"), CidrId = admins.Id, PublicKey = Key(2),
            Endpoint = Endpoint.Parse("198.51.100.4:51820"), PersistentKeepaliveInterval = 25,
            IsAdmin = true, IsRedeemed = true,
            Candidates = [Endpoint.Parse("192.168.1.20:51820"), Endpoint.Parse("[2001:db8::4]:51821")],
        });
        store.AddPeer(new PeerContents
        {
            Name = "bob", Ip = IPAddress.Parse("10.66.1.2"), CidrId = humans.Id, PublicKey = Key(3),
            IsDisabled = true, IsRedeemed = true,
        });
        store.AddPeer(new PeerContents
        {
            Name = "carol", Ip = IPAddress.Parse("10.66.1.3"), CidrId = humans.Id, PublicKey = Key(4),
            IsRedeemed = false, InviteExpires = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000),
        });
        var dave = store.AddPeer(new PeerContents
        {
            Name = "dave", Ip = IPAddress.Parse("10.66.2.7"), CidrId = robots.Id, PublicKey = Key(5),
            Endpoint = Endpoint.Parse("[2001:db8::7]:4000"), PersistentKeepaliveInterval = 0, IsRedeemed = true,
        });
        store.AddPeer(new PeerContents
        {
            Name = "eve", Ip = IPAddress.Parse("10.66.2.8"), CidrId = robots.Id, PublicKey = Key(6),
            IsRedeemed = false, InviteExpires = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000),
        });
        store.DeleteExpiredInvitations(DateTimeOffset.FromUnixTimeSeconds(1_750_000_000));
        store.SetCandidates(dave.Id, [Endpoint.Parse("10.0.0.9:4000")]);
    }

    internal static ServerStore CreateGoldenNetwork(string path) => ServerStore.Create(path, new NewNetwork(
        "golden", IPNetwork.Parse("10.66.0.0/16"), IPAddress.Parse("10.66.0.1"), Key(1), Endpoint.Parse("vpn.example.com:51820")));

    private const string GoldenFile = "DataStore/store-v1.db";

    /// <summary>Key n: the 32 bytes n, n+1, … (the golden file's keys).</summary>
    private static WireGuardKey Key(byte seed)
    {
        var bytes = new byte[WireGuardKey.Size];
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)(seed + i);
        }

        return new WireGuardKey(bytes);
    }

    private static Peer Peer(long id, string name, string ip, long cidrId, byte key) => new()
    {
        Id = id,
        Name = name,
        Ip = IPAddress.Parse(ip),
        CidrId = cidrId,
        PublicKey = Key(key),
        IsRedeemed = true,
        Candidates = [],
    };

    private static TempDatabase CopyOfGolden()
    {
        var temp = new TempDatabase();
        File.Copy(Golden.PathOf(GoldenFile), temp.Path);
        return temp;
    }

    /// <summary>A collection's documents as BSON bytes, read with a plain LiteDB (no store code involved).</summary>
    private static List<string> RawDocuments(string path, string collection)
        => [.. Documents(path, collection).Select(d => Convert.ToHexString(Bytes(d)))];

    private static List<BsonDocument> Documents(string path, string collection)
    {
        using var db = new LiteDatabase(new ConnectionString { Filename = path, ReadOnly = true });
        return [.. db.GetCollection(collection).FindAll()];
    }

    private static byte[] Bytes(BsonDocument document) => BsonSerializer.Serialize(document);

    private static List<string> Indexes(string path)
    {
        using var db = new LiteDatabase(new ConnectionString { Filename = path, ReadOnly = true });
        return
        [
            .. db.GetCollection("$indexes").FindAll()
                .Select(i => $"{i["collection"].AsString}.{i["name"].AsString} {i["expression"].AsString} unique={i["unique"].AsBoolean}")
                .Order(StringComparer.Ordinal),
        ];
    }
}
