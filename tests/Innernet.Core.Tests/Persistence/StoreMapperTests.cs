using System.Globalization;
using Innernet.Core.Model;
using Innernet.Core.Persistence;
using Innernet.Netlink.WireGuard;
using LiteDB;

namespace Innernet.Core.Tests.Persistence;

/// <summary>The BSON form of each value and row (<see cref="StoreMapper"/> and the *Document mappers).</summary>
public sealed class StoreMapperTests
{
    private static readonly Peer FullPeer = new()
    {
        Id = 7,
        Name = "laptop",
        Ip = IPAddress.Parse("10.42.1.7"),
        CidrId = 3,
        PublicKey = TestKeys.Numbered(7),
        Endpoint = Endpoint.Parse("vpn.example.com:51820"),
        PersistentKeepaliveInterval = ushort.MaxValue,
        IsAdmin = true,
        IsDisabled = true,
        IsRedeemed = false,
        InviteExpires = DateTimeOffset.FromUnixTimeSeconds(1_900_000_000),
        Candidates = [Endpoint.Parse("192.168.0.2:51820"), Endpoint.Parse("[fd00::2]:51820")],
    };

    [Theory]
    [InlineData("10.42.1.7")]
    [InlineData("fd00:42::7")]
    public void IPAddress_RoundTripsAsText(string text)
    {
        var value = StoreMapper.Write(IPAddress.Parse(text));

        Assert.Equal(text, value.AsString);
        Assert.Equal(IPAddress.Parse(text), StoreMapper.ReadIPAddress(value));
    }

    [Theory]
    [InlineData("10.42.0.0/16")]
    [InlineData("fd00:42::/64")]
    public void IPNetwork_RoundTripsAsText(string text)
    {
        var value = StoreMapper.Write(IPNetwork.Parse(text));

        Assert.Equal(text, value.AsString);
        Assert.Equal(IPNetwork.Parse(text), StoreMapper.ReadIPNetwork(value));
    }

    [Fact]
    public void WireGuardKey_RoundTripsAsBase64()
    {
        var key = WireGuardKey.Parse("DD5yKRfzExcV5+kDnTroDgCU15latdMjiQ59j1hEuk8=");
        var value = StoreMapper.Write(key);

        Assert.Equal("DD5yKRfzExcV5+kDnTroDgCU15latdMjiQ59j1hEuk8=", value.AsString);
        Assert.Equal(key, StoreMapper.ReadKey(value));
    }

    [Theory]
    [InlineData("198.51.100.4:51820")]
    [InlineData("[2001:db8::4]:51820")]
    [InlineData("vpn.example.com:51820")]
    public void Endpoint_RoundTripsAsHostPort(string text)
    {
        var value = StoreMapper.Write(Endpoint.Parse(text));

        Assert.Equal(text, value.AsString);
        Assert.Equal(Endpoint.Parse(text), StoreMapper.ReadEndpoint(value));
    }

    [Fact]
    public void DateTimeOffset_IsStoredAsWholeUnixSeconds()
    {
        var time = new DateTimeOffset(2027, 1, 2, 3, 4, 5, 999, TimeSpan.FromHours(-5));

        var value = StoreMapper.Write(time);

        Assert.Equal(BsonType.Int64, value.Type);
        Assert.Equal(time.ToUnixTimeSeconds(), value.AsInt64);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(time.ToUnixTimeSeconds()), StoreMapper.ReadTime(value));
        Assert.Equal(StoreMapper.ToStoredPrecision(time), StoreMapper.ReadTime(value));
    }

    [Fact]
    public void NullableValues_RoundTripNull()
    {
        Assert.Equal(BsonValue.Null, StoreMapper.Write((Endpoint?)null));
        Assert.Equal(BsonValue.Null, StoreMapper.Write((DateTimeOffset?)null));
        Assert.Null(StoreMapper.ReadOptionalTime(BsonValue.Null));
        Assert.Null(StoreMapper.ReadOptionalEndpoint(BsonValue.Null));
        Assert.Null(StoreMapper.ReadOptionalInt64(BsonValue.Null, "x"));
        Assert.Empty(StoreMapper.ReadEndpoints(BsonValue.Null));
    }

    [Theory]
    [InlineData("IP address", "banana")]
    [InlineData("IP network", "10.42.0.1/16")]
    [InlineData("WireGuard key", "short")]
    [InlineData("endpoint", "no-port")]
    public void Read_DamagedText_ThrowsStoreExceptionNamingTheType(string what, string stored)
    {
        Func<BsonValue, object> read = what switch
        {
            "IP address" => v => StoreMapper.ReadIPAddress(v),
            "IP network" => v => StoreMapper.ReadIPNetwork(v),
            "WireGuard key" => v => StoreMapper.ReadKey(v),
            _ => v => StoreMapper.ReadEndpoint(v),
        };

        var e = Assert.Throws<StoreException>(() => read(new BsonValue(stored)));
        Assert.Contains($"invalid {what}", e.Message, StringComparison.Ordinal);
        Assert.Contains($"'{stored}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_WrongBsonType_ThrowsStoreException()
    {
        Assert.Throws<StoreException>(() => StoreMapper.ReadIPAddress(new BsonValue(42)));
        Assert.Throws<StoreException>(() => StoreMapper.ReadTime(new BsonValue("yesterday")));
        Assert.Throws<StoreException>(() => StoreMapper.ReadEndpoints(new BsonValue(7)));
        Assert.Throws<StoreException>(() => StoreMapper.ReadBoolean(new BsonValue(1), "is_admin"));
        Assert.Throws<StoreException>(() => StoreMapper.ReadInt64(new BsonValue("3"), "cidr_id"));
    }

    [Fact]
    public void Peer_EveryFieldSet_RoundTripsWithInnernetsFieldNamesAndTypes()
    {
        var document = PeerDocument.ToBson(FullPeer);

        Assert.Equal(
            [
                "_id Int64 7", "name String \"laptop\"", "ip String \"10.42.1.7\"", "cidr_id Int64 3",
                $"public_key String \"{TestKeys.Numbered(7).ToBase64()}\"", "endpoint String \"vpn.example.com:51820\"",
                "persistent_keepalive_interval Int32 65535", "is_admin Boolean true", "is_disabled Boolean true",
                "is_redeemed Boolean false", "invite_expires Int64 1900000000",
                "candidates Array [\"192.168.0.2:51820\",\"[fd00::2]:51820\"]",
            ],
            Describe(document));
        Assert.Equal(FullPeer, PeerDocument.ToModel(document));
    }

    [Fact]
    public void Peer_OptionalFieldsEmpty_StoredAsNullAndRoundTrip()
    {
        var peer = FullPeer with
        {
            Ip = IPAddress.Parse("fd00:42::7"), Endpoint = null, PersistentKeepaliveInterval = null, InviteExpires = null, Candidates = [],
        };

        var document = PeerDocument.ToBson(peer);

        Assert.Equal(BsonValue.Null, document["endpoint"]);
        Assert.Equal(BsonValue.Null, document["persistent_keepalive_interval"]);
        Assert.Equal(BsonValue.Null, document["invite_expires"]);
        Assert.Equal(new BsonArray(), document["candidates"]);
        Assert.Equal(peer, PeerDocument.ToModel(document));
    }

    [Fact]
    public void Peer_OptionalFieldsAbsent_ReadAsNull()
    {
        var document = PeerDocument.ToBson(FullPeer);
        foreach (string field in (string[])["endpoint", "persistent_keepalive_interval", "invite_expires", "candidates"])
        {
            document.Remove(field);
        }

        Assert.Equal(
            FullPeer with { Endpoint = null, PersistentKeepaliveInterval = null, InviteExpires = null, Candidates = [] },
            PeerDocument.ToModel(document));
    }

    [Theory]
    [InlineData("name")]
    [InlineData("ip")]
    [InlineData("cidr_id")]
    [InlineData("public_key")]
    [InlineData("is_admin")]
    [InlineData("is_disabled")]
    [InlineData("is_redeemed")]
    public void Peer_RequiredFieldAbsent_ThrowsStoreExceptionNamingIt(string field)
    {
        var document = PeerDocument.ToBson(FullPeer);
        document.Remove(field);

        var e = Assert.Throws<StoreException>(() => PeerDocument.ToModel(document));

        Assert.Contains($"(_id 7) without its '{field}' field", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Name")]
    [InlineData("ENDPOINT")]
    [InlineData("Candidates")]
    public void Peer_FieldNameInOtherCase_ReadLikeLiteDbLooksItUp(string renamed)
    {
        var document = PeerDocument.ToBson(FullPeer);
        var value = document[renamed];
        document.Remove(renamed);
        document[renamed] = value;

        Assert.Contains(renamed, document.Keys.ToList());
        Assert.Equal(FullPeer, PeerDocument.ToModel(document));
    }

    [Fact]
    public void Peer_FieldOfAnotherProgram_Ignored()
    {
        var document = PeerDocument.ToBson(FullPeer);
        document["comment"] = "added by hand";

        Assert.Equal(FullPeer, PeerDocument.ToModel(document));
    }

    [Fact]
    public void Peer_FieldOfAnotherProgramAndRequiredFieldAbsent_ThrowsStoreExceptionNamingIt()
    {
        var document = PeerDocument.ToBson(FullPeer);
        document["comment"] = "added by hand";
        document.Remove("public_key");

        var e = Assert.Throws<StoreException>(() => PeerDocument.ToModel(document));

        Assert.Contains("(_id 7) without its 'public_key' field", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(65536)]
    public void Peer_KeepaliveOutOfRange_ThrowsStoreException(int stored)
    {
        var document = PeerDocument.ToBson(FullPeer);
        document["persistent_keepalive_interval"] = stored;

        var e = Assert.Throws<StoreException>(() => PeerDocument.ToModel(document));

        Assert.Contains($"persistent_keepalive_interval {stored} for peer id 7", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(1L)]
    public void Cidr_RoundTripsWithInnernetsFieldNamesAndTypes(long? parent)
    {
        var cidr = new Cidr(4, "humans", IPNetwork.Parse("10.42.1.0/24"), parent);

        var document = CidrDocument.ToBson(cidr);

        Assert.Equal(
            [
                "_id Int64 4", "name String \"humans\"", "cidr String \"10.42.1.0/24\"",
                parent is null ? "parent Null null" : "parent Int64 1",
            ],
            Describe(document));
        Assert.Equal(cidr, CidrDocument.ToModel(document));
    }

    [Fact]
    public void Association_KeepsTheGivenOrderAndANormalizedPairKey()
    {
        var association = new Association(9, 5, 3);

        var document = AssociationDocument.ToBson(association);

        Assert.Equal(["_id Int64 9", "cidr_id_1 Int64 5", "cidr_id_2 Int64 3", "pair String \"3:5\""], Describe(document));
        Assert.Equal(association, AssociationDocument.ToModel(document));
    }

    [Fact]
    public void Association_IdsStoredAsInt32_ReadAsTheSameIds()
    {
        var document = new BsonDocument { ["_id"] = 9, ["cidr_id_1"] = 5, ["cidr_id_2"] = 3 };

        Assert.Equal(new Association(9, 5, 3), AssociationDocument.ToModel(document));
    }

    /// <summary>Each field as "name type json", in stored order.</summary>
    private static List<string> Describe(BsonDocument document)
        => [.. document.Select(field => $"{field.Key} {field.Value.Type} {Show(field.Value)}")];

    private static string Show(BsonValue value)
        => value.IsInt64 ? value.AsInt64.ToString(CultureInfo.InvariantCulture) : JsonSerializer.Serialize(value);
}
