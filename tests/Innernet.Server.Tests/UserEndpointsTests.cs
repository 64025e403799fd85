using System.Text.Json;
using Innernet.Core.Contracts;
using Innernet.Netlink.WireGuard;

namespace Innernet.Server.Tests;

/// <summary><c>/v1/user/*</c> against innernet's fixture.</summary>
public sealed class UserEndpointsTests
{
    [Theory]
    [InlineData("IPv4")]
    [InlineData("IPv6", Traits = [Layers.Name, Layers.Host])]
    public async Task State_Developer1_SeesExactlyDeveloper1Developer2AndTheServer(string family)
    {
        using var lab = FamilyServer.LabFor(family);
        await using var server = await FamilyServer.StartAsync(family, lab);

        var state = await (await server.Developer1().Get("/v1/user/state")).ReadJsonAsync<State>();

        Assert.Equal(["developer1", "developer2", "innernet-server"], state.Peers.Select(p => p.Name).Order());
        Assert.Equal(server.Network.Developer2, state.Peers.Single(p => p.Name == "developer2").Ip);
        Assert.Equal(server.Store.ListCidrs(), state.Cidrs);
        Assert.All(state.Peers, p => Assert.Equal((ushort)25, p.PersistentKeepaliveInterval));
    }

    [Fact]
    public async Task State_Admin_SeesOnlyItsOwnCidrAndTheServer_WithoutAnAssociation()
    {
        await using var server = await ApiServer.StartAsync();

        var state = await (await server.Admin().Get("/v1/user/state")).ReadJsonAsync<State>();

        Assert.Equal(["admin", "innernet-server"], state.Peers.Select(p => p.Name).Order());
    }

    [Fact]
    public async Task State_HidesDisabledAndUnredeemedPeers()
    {
        await using var server = await ApiServer.StartAsync();
        server.Store.AddPeer(ApiServer.NewPeer("developer3", server.Network.FreeDeveloperIp,
            TestNetwork.DeveloperCidrId) with { IsRedeemed = false });
        server.Store.SetDisabled(TestNetwork.Developer2Id, true);

        var state = await (await server.Developer1().Get("/v1/user/state")).ReadJsonAsync<State>();

        Assert.Equal(["developer1", "innernet-server"], state.Peers.Select(p => p.Name).Order());
    }

    [Fact]
    public async Task State_SubCidrPeer_IsVisibleThroughAnAssociationWithItsParent()
    {
        await using var server = await ApiServer.StartAsync();
        var admin = server.Admin();
        var experimental = await (await admin.PostJson("/v1/admin/cidrs",
            new CidrContents("experimental", server.Network.ExperimentalCidr, Cidr.RootId))).ReadJsonAsync<Cidr>();
        var sub = await (await admin.PostJson("/v1/admin/cidrs",
            new CidrContents("experiment-sub", server.Network.ExperimentalSubCidr, experimental.Id))).ReadJsonAsync<Cidr>();
        var subPeerIp = FirstHost(server.Network.ExperimentalSubCidr);
        await (await admin.PostJson("/v1/admin/peers",
            ApiServer.NewPeer("experimenter", subPeerIp, sub.Id))).AssertStatusAsync(HttpStatusCode.Created);

        var before = await (await server.Developer1().Get("/v1/user/state")).ReadJsonAsync<State>();
        await (await admin.PostJson("/v1/admin/associations",
            new AssociationContents(TestNetwork.DeveloperCidrId, experimental.Id))).AssertStatusAsync(HttpStatusCode.Created);
        var after = await (await server.Developer1().Get("/v1/user/state")).ReadJsonAsync<State>();
        var fromSub = await (await server.ClientFrom(subPeerIp).Get("/v1/user/state")).ReadJsonAsync<State>();

        Assert.DoesNotContain(before.Peers, p => p.Name == "experimenter");
        Assert.Contains(after.Peers, p => p.Name == "experimenter");
        Assert.Equal(["developer1", "developer2", "experimenter", "innernet-server"], fromSub.Peers.Select(p => p.Name).Order());
    }

    [Fact]
    public async Task State_ObservedEndpoint_BecomesTheEndpoint_WhenNoneIsStored()
    {
        await using var server = await ApiServer.StartAsync();

        var state = await (await server.Developer2().Get("/v1/user/state")).ReadJsonAsync<State>();

        var developer1 = state.Peers.Single(p => p.Name == "developer1");
        Assert.Equal(Endpoint.FromIPEndPoint(ApiServer.Developer1Observed), developer1.Endpoint);
        Assert.Empty(developer1.Candidates);
        Assert.Equal(TestNetwork.ExternalEndpoint, state.Peers.Single(p => p.Id == Peer.ServerId).Endpoint);
        Assert.Null(server.Store.GetPeer(TestNetwork.Developer1Id)!.Endpoint);
    }

    [Fact]
    public async Task State_ObservedEndpoint_IsAppendedToCandidates_WhenAnOverrideIsStored()
    {
        await using var server = await ApiServer.StartAsync();
        var overrideEndpoint = Endpoint.Parse("192.0.2.50:51820");
        var reported = Endpoint.Parse("10.9.9.9:51820");
        await (await server.Developer1().PutJson("/v1/user/endpoint",
            EndpointContents.Set(overrideEndpoint))).AssertStatusAsync(HttpStatusCode.NoContent);
        await (await server.Developer1().PutJson("/v1/user/candidates",
            new List<Endpoint> { reported })).AssertStatusAsync(HttpStatusCode.NoContent);

        var state = await (await server.Developer2().Get("/v1/user/state")).ReadJsonAsync<State>();

        var developer1 = state.Peers.Single(p => p.Name == "developer1");
        Assert.Equal(overrideEndpoint, developer1.Endpoint);
        Assert.Equal([reported, Endpoint.FromIPEndPoint(ApiServer.Developer1Observed)], developer1.Candidates);
    }

    [Fact]
    public async Task State_ObservedEndpoint_AlreadyACandidate_IsNotRepeated()
    {
        await using var server = await ApiServer.StartAsync();
        var observed = Endpoint.FromIPEndPoint(ApiServer.Developer1Observed);
        server.Store.SetEndpoint(TestNetwork.Developer1Id, Endpoint.Parse("192.0.2.50:51820"));
        server.Store.SetCandidates(TestNetwork.Developer1Id, [observed]);

        var state = await (await server.Developer2().Get("/v1/user/state")).ReadJsonAsync<State>();

        Assert.Equal([observed], state.Peers.Single(p => p.Name == "developer1").Candidates);
    }

    [Fact]
    public async Task State_UnspecifiedIpOverride_TakesTheObservedIpWithTheOverridePort()
    {
        await using var server = await ApiServer.StartAsync();
        await (await server.Developer1().PutJson("/v1/user/endpoint",
            EndpointContents.Set(Endpoint.Parse("0.0.0.0:40000")))).AssertStatusAsync(HttpStatusCode.NoContent);

        var state = await (await server.Developer2().Get("/v1/user/state")).ReadJsonAsync<State>();

        var developer1 = state.Peers.Single(p => p.Name == "developer1");
        Assert.Equal(Endpoint.Parse("198.51.100.11:40000"), developer1.Endpoint);
        Assert.Equal([Endpoint.FromIPEndPoint(ApiServer.Developer1Observed)], developer1.Candidates);
    }

    [Fact]
    public async Task State_UnspecifiedIpOverride_WithNothingObserved_ServesNoEndpoint()
    {
        await using var server = await ApiServer.StartAsync();
        server.Store.SetEndpoint(TestNetwork.User1Id, Endpoint.Parse("0.0.0.0:40000"));
        await (await server.Admin().PostJson("/v1/admin/associations",
            new AssociationContents(TestNetwork.AdminCidrId, TestNetwork.UserCidrId))).AssertStatusAsync(HttpStatusCode.Created);

        var state = await (await server.Admin().Get("/v1/user/state")).ReadJsonAsync<State>();

        var user1 = state.Peers.Single(p => p.Name == "user1");
        Assert.Null(user1.Endpoint);
        Assert.Empty(user1.Candidates);
    }

    [Fact]
    public async Task Capabilities_AnyPeerEvenUnredeemed_GetsTheExactJson()
    {
        await using var server = await ApiServer.StartAsync();
        server.AddInvitee();

        var response = await server.ClientFrom(server.Network.InviteeIp).Get("/v1/user/capabilities");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.ToString());
        // state_stream is ours; innernet's client ignores it (its serde struct has no deny_unknown_fields).
        Assert.Equal(
            """{"unspecified_ip_in_override_endpoint":true,"state_stream":1}""",
            await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Endpoint_SetThenUnset_IsStored_204()
    {
        await using var server = await ApiServer.StartAsync();
        var client = server.Developer1();
        var endpoint = Endpoint.Parse("[2001:db8::7]:51820");

        await (await client.PutJson("/v1/user/endpoint", EndpointContents.Set(endpoint))).AssertStatusAsync(HttpStatusCode.NoContent);
        Assert.Equal(endpoint, server.Peer(TestNetwork.Developer1Id).Endpoint);

        await (await client.Send(HttpMethod.Put, "/v1/user/endpoint", Http.JsonText("""{"option":"Unset"}""")))
            .AssertStatusAsync(HttpStatusCode.NoContent);
        Assert.Null(server.Peer(TestNetwork.Developer1Id).Endpoint);
    }

    [Theory]
    [InlineData("""{"option":"Set"}""")]
    [InlineData("""{"option":"Set","content":"no port"}""")]
    [InlineData("""{"option":"Maybe"}""")]
    [InlineData("""["Set","1.2.3.4:5"]""")]
    [InlineData("{\"option\":\"Set\",\"content\":\"1.2.3.4:5\"")]
    [InlineData("")]
    public async Task Endpoint_BadBody_Is400(string body)
    {
        await using var server = await ApiServer.StartAsync();

        await (await server.Developer1().Send(HttpMethod.Put, "/v1/user/endpoint",
            Http.JsonText(body))).AssertStatusAsync(HttpStatusCode.BadRequest);
        Assert.Null(server.Peer(TestNetwork.Developer1Id).Endpoint);
    }

    [Fact]
    public async Task Candidates_AreStored_AndReplaced()
    {
        await using var server = await ApiServer.StartAsync();
        var client = server.Developer1();
        List<Endpoint> first = [Endpoint.Parse("192.168.1.20:51820"), Endpoint.Parse("[2001:db8::20]:51820")];
        List<Endpoint> second = [Endpoint.Parse("192.168.1.21:51821")];

        await (await client.PutJson("/v1/user/candidates", first)).AssertStatusAsync(HttpStatusCode.NoContent);
        Assert.Equal(first, server.Peer(TestNetwork.Developer1Id).Candidates);
        await (await client.PutJson("/v1/user/candidates", second)).AssertStatusAsync(HttpStatusCode.NoContent);
        Assert.Equal(second, server.Peer(TestNetwork.Developer1Id).Candidates);
    }

    [Fact]
    public async Task Candidates_TenAreAccepted_ElevenAre413()
    {
        await using var server = await ApiServer.StartAsync();
        var client = server.Developer1();
        var ten = Enumerable.Range(1, 10).Select(i => Endpoint.Parse($"192.0.2.{i}:51820")).ToList();

        await (await client.PutJson("/v1/user/candidates", ten)).AssertStatusAsync(HttpStatusCode.NoContent);
        await (await client.PutJson("/v1/user/candidates",
            ten.Append(Endpoint.Parse("192.0.2.11:51820")).ToList())).AssertStatusAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(ten, server.Peer(TestNetwork.Developer1Id).Candidates);
    }

    [Theory]
    [InlineData("""["1.2.3.4"]""")]
    [InlineData("""[null]""")]
    [InlineData("""{"candidates":[]}""")]
    [InlineData("null")]
    public async Task Candidates_BadBody_Is400(string body)
    {
        await using var server = await ApiServer.StartAsync();

        await (await server.Developer1().Send(HttpMethod.Put, "/v1/user/candidates",
            Http.JsonText(body))).AssertStatusAsync(HttpStatusCode.BadRequest);
    }

    /// <summary>
    /// innernet's <c>test_redeem</c>. innernet answers any second redeem 401 (the peer is no longer redeemable); here
    /// a repeat with the same key is 204 (a lost answer must not burn the invitation) and another key is 410.
    /// </summary>
    [Theory]
    [InlineData("IPv4")]
    [InlineData("IPv6", Traits = [Layers.Name, Layers.Host])]
    public async Task Redeem_StateIs401Before_Redeem204_SecondRedeemWithAnotherKey410_State200After(string family)
    {
        using var lab = FamilyServer.LabFor(family);
        await using var server = await FamilyServer.StartAsync(family, lab);
        var invitee = server.AddInvitee();
        var client = server.ClientFrom(server.Network.InviteeIp);
        var newKey = TestKeys.NewKeyPair().PublicKey;

        await (await client.Get("/v1/user/state")).AssertStatusAsync(HttpStatusCode.Unauthorized);
        await (await client.PostJson("/v1/user/redeem", new RedeemContents(newKey))).AssertStatusAsync(HttpStatusCode.NoContent);
        var second = await client.PostJson("/v1/user/redeem", new RedeemContents(TestKeys.RandomKey()));
        var state = await (await client.Get("/v1/user/state")).ReadJsonAsync<State>();

        await second.AssertStatusAsync(HttpStatusCode.Gone);
        var stored = server.Peer(invitee.Id);
        Assert.True(stored.IsRedeemed);
        Assert.Equal(newKey, stored.PublicKey);
        Assert.Contains(state.Peers, p => p.Id == invitee.Id && p.PublicKey == newKey);
        var (before, after) = Assert.Single(server.PeerSync.Redeemed);
        Assert.Equal(invitee.PublicKey, before.PublicKey);
        Assert.Equal(newKey, after.PublicKey);
    }

    [Fact]
    public async Task Redeem_ExpiredInvitation_Is401()
    {
        await using var server = await ApiServer.StartAsync();
        // Expired a minute ago; the sweeper (manual clock) has not run, so the redeem handler itself refuses.
        var invitee = server.AddInvitee(expiresIn: TimeSpan.FromMinutes(-1));

        var response = await server.ClientFrom(server.Network.InviteeIp).PostJson("/v1/user/redeem",
            new RedeemContents(TestKeys.RandomKey()));

        await response.AssertStatusAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(invitee, server.Peer(invitee.Id));
        Assert.Empty(server.PeerSync.Redeemed);
    }

    [Fact]
    public async Task Redeem_DisabledInvitation_Is401()
    {
        await using var server = await ApiServer.StartAsync();
        var invitee = server.AddInvitee();
        server.Store.SetDisabled(invitee.Id, true);

        var response = await server.ClientFrom(server.Network.InviteeIp).PostJson("/v1/user/redeem",
            new RedeemContents(TestKeys.RandomKey()));

        await response.AssertStatusAsync(HttpStatusCode.Unauthorized);
    }

    public static TheoryData<string> MalformedKeys => new()
    {
        """{"public_key":"not base64"}""",
        """{"public_key":"AAAA"}""",
        """{"public_key":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}""",
        """{"public_key":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}""",
        """{"public_key":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}""",
        """{"public_key":null}""",
        """{"public_key":42}""",
        """{}""",
        """not json""",
    };

    [Theory]
    [MemberData(nameof(MalformedKeys))]
    public async Task Redeem_MalformedOrZeroKey_Is400_AndLeavesTheInvitation(string body)
    {
        await using var server = await ApiServer.StartAsync();
        var invitee = server.AddInvitee();

        var response = await server.ClientFrom(server.Network.InviteeIp).Send(HttpMethod.Post, "/v1/user/redeem", Http.JsonText(body));

        await response.AssertStatusAsync(HttpStatusCode.BadRequest);
        Assert.Equal(invitee, server.Peer(invitee.Id));
        Assert.Empty(server.PeerSync.Redeemed);
    }

    [Theory]
    [InlineData("server")]
    [InlineData("other peer")]
    [InlineData("own temporary key")]
    public async Task Redeem_KeyInUse_Is400(string whose)
    {
        await using var server = await ApiServer.StartAsync();
        var invitee = server.AddInvitee();
        WireGuardKey key = whose switch
        {
            "server" => server.ServerKey,
            "other peer" => server.Peer(TestNetwork.Developer1Id).PublicKey,
            _ => invitee.PublicKey,
        };

        var response = await server.ClientFrom(server.Network.InviteeIp).PostJson("/v1/user/redeem", new RedeemContents(key));

        await response.AssertStatusAsync(HttpStatusCode.BadRequest);
        Assert.False(server.Peer(invitee.Id).IsRedeemed);
    }

    [Fact]
    public async Task Redeem_SimultaneousRequests_ExactlyOneWins_OthersAre410Or401()
    {
        await using var server = await ApiServer.StartAsync();
        var invitee = server.AddInvitee();
        var keys = Enumerable.Range(0, 8).Select(_ => TestKeys.RandomKey()).ToArray();
        var clients = keys.Select(_ => server.ClientFrom(server.Network.InviteeIp)).ToArray();
        // Open every connection first, so the redeems themselves race.
        await Task.WhenAll(clients.Select(c => c.Get("/v1/user/capabilities")));

        var responses = await Task.WhenAll(clients.Select((c, i) => c.PostJson("/v1/user/redeem", new RedeemContents(keys[i]))));

        var statuses = responses.Select(r => (int)r.StatusCode).ToArray();
        Assert.Equal(1, statuses.Count(s => s == 204));
        Assert.All(statuses.Where(s => s != 204), s => Assert.Contains(s, new[] { 401, 410 }));
        int winner = Array.FindIndex(statuses, s => s == 204);
        Assert.Equal(keys[winner], server.Peer(invitee.Id).PublicKey);
        Assert.Equal(keys[winner], Assert.Single(server.PeerSync.Redeemed).After.PublicKey);
    }

    [Fact]
    public async Task Redeem_ByARedeemedPeer_WithAnotherKey_Is410_AndChangesNothing()
    {
        await using var server = await ApiServer.StartAsync();
        var before = server.Peer(TestNetwork.Developer1Id);

        var response = await server.Developer1().PostJson("/v1/user/redeem", new RedeemContents(TestKeys.RandomKey()));

        await response.AssertStatusAsync(HttpStatusCode.Gone);
        Assert.Equal(before, server.Peer(TestNetwork.Developer1Id));
        Assert.Empty(server.PeerSync.Redeemed);
    }

    [Fact]
    public async Task Redeem_RepeatedWithTheSameKey_Is204_AndChangesNothing()
    {
        await using var server = await ApiServer.StartAsync();
        var invitee = server.AddInvitee();
        var client = server.ClientFrom(server.Network.InviteeIp);
        var newKey = TestKeys.NewKeyPair().PublicKey;
        await (await client.PostJson("/v1/user/redeem", new RedeemContents(newKey))).AssertStatusAsync(HttpStatusCode.NoContent);
        var redeemed = server.Peer(invitee.Id);

        // The invitee lost the first 204 and asks again with the key it kept.
        await (await client.PostJson("/v1/user/redeem", new RedeemContents(newKey))).AssertStatusAsync(HttpStatusCode.NoContent);

        Assert.Equal(redeemed, server.Peer(invitee.Id));
        Assert.Equal(newKey, redeemed.PublicKey);
        Assert.Single(server.PeerSync.Redeemed);
        await (await client.PostJson("/v1/user/redeem", new RedeemContents(TestKeys.RandomKey()))).AssertStatusAsync(HttpStatusCode.Gone);
        Assert.Equal(redeemed, server.Peer(invitee.Id));
    }

    private static IPAddress FirstHost(IPNetwork network)
    {
        var bytes = network.BaseAddress.GetAddressBytes();
        bytes[^1] |= 1;
        return new IPAddress(bytes);
    }
}
