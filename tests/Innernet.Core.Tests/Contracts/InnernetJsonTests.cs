using System.Text.Json;
using System.Text.Json.Nodes;
using Innernet.Core.Contracts;
using Innernet.Core.Model;
using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Tests.Contracts;

public sealed class InnernetJsonTests
{
    private static readonly WireGuardKey Public = WireGuardKey.Parse(TestKeys.VectorPublic);
    private static readonly WireGuardKey Private = WireGuardKey.Parse(TestKeys.VectorPrivate);

    private static readonly Peer LaptopPeer = new()
    {
        Id = 3,
        Name = "laptop",
        Ip = IPAddress.Parse("10.42.1.2"),
        CidrId = 3,
        PublicKey = Public,
        Endpoint = Endpoint.Parse("203.0.113.7:51820"),
        PersistentKeepaliveInterval = 25,
        IsRedeemed = true,
        Candidates = [Endpoint.Parse("192.168.1.20:51820"), Endpoint.Parse("[2001:db8::20]:51820")],
    };

    private static readonly Peer ServerPeer = new()
    {
        Id = 1,
        Name = "innernet-server",
        Ip = IPAddress.Parse("10.42.0.1"),
        CidrId = 2,
        PublicKey = Public,
        Endpoint = Endpoint.Parse("vpn.example.com:51820"),
        PersistentKeepaliveInterval = 25,
        IsAdmin = true,
        IsRedeemed = true,
    };

    [Fact]
    public void Peer_SpecExample_RoundTrips() => AssertGolden("peer.json", LaptopPeer);

    [Fact]
    public void Peer_SpecExample_SerializesFieldsInInnernetOrder()
    {
        string compact = JsonNode.Parse(Golden.Read("Json/peer.json"))!.ToJsonString();
        Assert.Equal(compact, InnernetJson.Serialize(LaptopPeer));
    }

    [Fact]
    public void Peer_InviteWithIpv6AndExpiry_RoundTrips() => AssertGolden("peer-invite.json", new Peer
    {
        Id = 7,
        Name = "new-phone",
        Ip = IPAddress.Parse("fd00:42::7"),
        CidrId = 4,
        PublicKey = Private,
        IsAdmin = true,
        InviteExpires = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000),
    });

    [Fact]
    public void Peer_MissingOptionalFieldsAndUnknownField_ReadsDefaults()
    {
        var peer = InnernetJson.Deserialize<Peer>(Golden.Read("Json/peer-minimal.json"));

        Assert.Equal(
            new Peer
            {
                Id = 9,
                Name = "old",
                Ip = IPAddress.Parse("10.42.1.9"),
                CidrId = 3,
                PublicKey = Public,
                IsDisabled = true,
                IsRedeemed = true,
            },
            peer);
        Assert.Null(peer.Endpoint);
        Assert.Null(peer.PersistentKeepaliveInterval);
        Assert.Null(peer.InviteExpires);
        Assert.Empty(peer.Candidates);
    }

    [Fact]
    public void PeerContents_WithSubSecondExpiry_RoundTrips() => AssertGolden("peer-contents.json", new PeerContents
    {
        Name = "laptop",
        Ip = IPAddress.Parse("10.42.1.2"),
        CidrId = 3,
        PublicKey = Public,
        Endpoint = Endpoint.Parse("vpn.example.com:51820"),
        PersistentKeepaliveInterval = 25,
        InviteExpires = DateTimeOffset.FromUnixTimeSeconds(1_700_000_123).AddTicks(4_567_890),
    });

    [Fact]
    public void Cidr_RoundTrips() => AssertGolden("cidr.json", new Cidr(3, "humans", IPNetwork.Parse("10.42.1.0/24"), 1));

    [Fact]
    public void Cidr_RootIpv6_RoundTrips() =>
        AssertGolden("cidr-root.json", new Cidr(1, "evilcorp", IPNetwork.Parse("fd00:42::/64"), null));

    [Fact]
    public void CidrContents_RoundTrips()
        => AssertGolden("cidr-contents.json", new CidrContents("robots", IPNetwork.Parse("10.42.2.0/24"), 1));

    [Fact]
    public void Association_RoundTrips() => AssertGolden("association.json", new Association(1, 3, 4));

    [Fact]
    public void AssociationContents_RoundTrips() => AssertGolden("association-contents.json", new AssociationContents(4, 3));

    [Fact]
    public void State_RoundTrips()
    {
        var expected = new State(
            [ServerPeer],
            [new Cidr(1, "evilcorp", IPNetwork.Parse("10.42.0.0/16"), null),
                new Cidr(2, "innernet-server", IPNetwork.Parse("10.42.0.1/32"), 1)]);
        string golden = Golden.Read("Json/state.json");

        var read = InnernetJson.Deserialize<State>(golden);

        Assert.Equal(expected.Peers, read.Peers);
        Assert.Equal(expected.Cidrs, read.Cidrs);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(golden), JsonNode.Parse(InnernetJson.Serialize(expected))));
    }

    [Fact]
    public void EndpointContents_Set_RoundTrips()
        => AssertGolden("endpoint-contents-set.json", EndpointContents.Set(Endpoint.Parse("198.51.100.4:51820")));

    [Fact]
    public void EndpointContents_Unset_RoundTrips() => AssertGolden("endpoint-contents-unset.json", EndpointContents.Unset);

    [Fact]
    public void RedeemContents_RoundTrips() => AssertGolden("redeem-contents.json", new RedeemContents(Public));

    [Fact]
    public void ServerCapabilities_RoundTrips()
        => AssertGolden("server-capabilities.json", new ServerCapabilities(true, ServerCapabilities.StateStreamVersion));

    /// <summary>innernet 1.7's server answers without <c>state_stream</c>: no live stream, the client polls.</summary>
    [Fact]
    public void ServerCapabilities_InnernetBody_HasNoStateStream()
        => Assert.Equal(new ServerCapabilities(true, 0),
            InnernetJson.Deserialize<ServerCapabilities>(Golden.Read("Json/server-capabilities-innernet.json")));

    [Fact]
    public void ServerCapabilities_MissingField_DefaultsToFalse()
        => Assert.False(InnernetJson.Deserialize<ServerCapabilities>("{}").UnspecifiedIpInOverrideEndpoint);

    [Fact]
    public void Candidates_ListOfEndpoints_RoundTrips()
    {
        const string json = """["10.0.0.1:51820","[fd00::1]:1","host.example:9"]""";
        var list = InnernetJson.Deserialize<List<Endpoint>>(json);
        Assert.Equal(["10.0.0.1:51820", "[fd00::1]:1", "host.example:9"], list.Select(e => e.ToString()));
        Assert.Equal(json, InnernetJson.Serialize(list));
    }

    [Theory]
    [InlineData("""{"public_key": "not-a-key"}""", "Invalid WireGuard key")]
    [InlineData("""{"public_key": "AAAA"}""", "44 characters")]
    [InlineData("""{"public_key": 5}""", "WireGuard key as a JSON string")]
    public void RedeemContents_InvalidKey_ThrowsClearJsonException(string json, string expected)
    {
        var e = Assert.Throws<JsonException>(() => InnernetJson.Deserialize<RedeemContents>(json));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"name": "x", "cidr": "10.42.1.5/24", "parent": 1}""", "host bits")]
    [InlineData("""{"name": "x", "cidr": "10.42.1.0", "parent": 1}""", "address/prefix")]
    [InlineData("""{"name": "x", "cidr": "10.42.1.0/33", "parent": 1}""", "0 to 32")]
    [InlineData("""{"name": "x", "cidr": "banana/8", "parent": 1}""", "not an IP address")]
    public void CidrContents_InvalidCidr_ThrowsClearJsonException(string json, string expected)
    {
        var e = Assert.Throws<JsonException>(() => InnernetJson.Deserialize<CidrContents>(json));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"option": "Set"}""", "needs a \"content\"")]
    [InlineData("""{"option": "Maybe"}""", "Unknown \"option\"")]
    [InlineData("""{"content": "1.2.3.4:5"}""", "Missing \"option\"")]
    [InlineData("""{"option": "Set", "content": "1.2.3.4"}""", "has no port")]
    public void EndpointContents_Invalid_ThrowsClearJsonException(string json, string expected)
    {
        var e = Assert.Throws<JsonException>(() => InnernetJson.Deserialize<EndpointContents>(json));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Peer_MissingRequiredName_Throws()
    {
        const string json = """{"id": 1, "ip": "10.0.0.1", "cidr_id": 1, "public_key": "DD5yKRfzExcV5+kDnTroDgCU15latdMjiQ59j1hEuk8="}""";
        var e = Assert.Throws<JsonException>(() => InnernetJson.Deserialize<Peer>(json));
        Assert.Contains("name", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cidr_NullName_Throws()
        => Assert.Throws<JsonException>(
            () => InnernetJson.Deserialize<Cidr>("""{"id": 1, "name": null, "cidr": "10.0.0.0/8", "parent": null}"""));

    [Fact]
    public void Cidr_MissingParent_ReadsNull()
        => Assert.Null(InnernetJson.Deserialize<Cidr>("""{"id": 1, "name": "a", "cidr": "10.0.0.0/8"}""").Parent);

    [Fact]
    public void InviteExpires_BeforeEpoch_CannotBeWritten()
    {
        var peer = LaptopPeer with { InviteExpires = DateTimeOffset.UnixEpoch.AddSeconds(-1) };
        Assert.Throws<JsonException>(() => InnernetJson.Serialize(peer));
    }

    [Fact]
    public void TypeInfo_ForeignType_Throws() => Assert.Throws<NotSupportedException>(() => InnernetJson.TypeInfo<Version>());

    private static void AssertGolden<T>(string file, T expected)
    {
        string golden = Golden.Read("Json/" + file);

        Assert.Equal(expected, InnernetJson.Deserialize<T>(golden));
        string written = InnernetJson.Serialize(expected);
        Assert.True(
            JsonNode.DeepEquals(JsonNode.Parse(golden), JsonNode.Parse(written)),
            $"Serialized JSON differs from {file}:\n{written}");
    }
}
