namespace Innernet.Server.Tests;

/// <summary><c>/v1/admin/peers</c>: access, validation, echo filter, and innernet's own server tests.</summary>
public sealed class AdminPeerEndpointsTests
{
    [Fact]
    public async Task Create_Is201_EchoingTheContentsWithTheNextId_AndAddsItToWireGuard()
    {
        await using var server = await ApiServer.StartAsync();
        var contents = ApiServer.NewPeer("developer3", server.Network.FreeDeveloperIp, TestNetwork.DeveloperCidrId) with
        {
            IsRedeemed = false,
            InviteExpires = DateTimeOffset.FromUnixTimeSeconds(2_000_000_000),
        };

        var response = await server.Admin().PostJson("/v1/admin/peers", contents);

        await response.AssertStatusAsync(HttpStatusCode.Created);
        var created = await response.ReadJsonAsync<Peer>();
        Assert.Equal(contents.WithId(7), created);
        Assert.Equal(created, server.Peer(7));
        Assert.Equal(created, Assert.Single(server.PeerSync.Added));
    }

    [Theory]
    [InlineData("IPv4")]
    [InlineData("IPv6", Traits = [Layers.Name, Layers.Host])]
    public async Task Create_RedeemedPeer_Is201_AndTheNewPeerCanCallAtOnce(string family)
    {
        using var lab = FamilyServer.LabFor(family);
        await using var server = await FamilyServer.StartAsync(family, lab);
        var contents = ApiServer.NewPeer("developer3", server.Network.FreeDeveloperIp, TestNetwork.DeveloperCidrId);

        var response = await server.Admin().PostJson("/v1/admin/peers", contents);

        await response.AssertStatusAsync(HttpStatusCode.Created);
        Assert.Equal(contents.WithId(7), await response.ReadJsonAsync<Peer>());
        var state = await (await server.ClientFrom(server.Network.FreeDeveloperIp).Get("/v1/user/state")).ReadJsonAsync<State>();
        Assert.Contains(state.Peers, p => p.Name == "developer1");
    }

    [Theory]
    [InlineData("IPv4")]
    [InlineData("IPv6", Traits = [Layers.Name, Layers.Host])]
    public async Task Create_NetworkAddressOfTheCidr_Is400(string family)
    {
        using var lab = FamilyServer.LabFor(family);
        await using var server = await FamilyServer.StartAsync(family, lab);

        var response = await server.Admin().PostJson("/v1/admin/peers",
            ApiServer.NewPeer("developer3", server.Network.DeveloperCidr.BaseAddress, TestNetwork.DeveloperCidrId));

        await response.AssertStatusAsync(HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("-leading-dash")]
    [InlineData("has space")]
    [InlineData("under_score")]
    [InlineData("")]
    [InlineData("a123456789012345678901234567890123456789012345678901234567890123")]
    public async Task Create_InvalidName_Is400(string name)
    {
        await using var server = await ApiServer.StartAsync();

        var response = await server.Admin().PostJson("/v1/admin/peers",
            ApiServer.NewPeer(name, server.Network.FreeDeveloperIp, TestNetwork.DeveloperCidrId));

        await response.AssertStatusAsync(HttpStatusCode.BadRequest);
        Assert.Equal(6, server.Store.ListPeers().Count);
        Assert.Empty(server.PeerSync.Added);
    }

    [Fact]
    public async Task Create_DuplicateNameOrIpOrKey_Is400()
    {
        await using var server = await ApiServer.StartAsync();
        var admin = server.Admin();

        await (await admin.PostJson("/v1/admin/peers",
            ApiServer.NewPeer("developer1", server.Network.FreeDeveloperIp,
            TestNetwork.DeveloperCidrId))).AssertStatusAsync(HttpStatusCode.BadRequest);
        await (await admin.PostJson("/v1/admin/peers",
            ApiServer.NewPeer("developer3", server.Network.Developer2,
            TestNetwork.DeveloperCidrId))).AssertStatusAsync(HttpStatusCode.BadRequest);
        var sameKey = ApiServer.NewPeer("developer3", server.Network.FreeDeveloperIp, TestNetwork.DeveloperCidrId)
            with { PublicKey = server.Peer(TestNetwork.User1Id).PublicKey };
        await (await admin.PostJson("/v1/admin/peers", sameKey)).AssertStatusAsync(HttpStatusCode.BadRequest);
        Assert.Equal(6, server.Store.ListPeers().Count);
    }

    [Theory]
    [InlineData("127.80.65.1")]
    [InlineData("127.80.64.0")]
    [InlineData("127.80.64.255")]
    [InlineData("10.0.0.1")]
    public async Task Create_IpOutsideTheCidr_OrItsNetworkOrBroadcastAddress_Is400(string ip)
    {
        await using var server = await ApiServer.StartAsync();

        var response = await server.Admin().PostJson("/v1/admin/peers",
            ApiServer.NewPeer("developer3", IPAddress.Parse(ip), TestNetwork.DeveloperCidrId));

        await response.AssertStatusAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Create_UnknownCidr_Is400()
    {
        await using var server = await ApiServer.StartAsync();

        var response = await server.Admin().PostJson("/v1/admin/peers",
            ApiServer.NewPeer("developer3", server.Network.FreeDeveloperIp, 99));

        await response.AssertStatusAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task NonAdmin_Is401_ForCreateUpdateListAndDelete()
    {
        await using var server = await ApiServer.StartAsync();
        var developer = server.Developer1();
        var peers = server.Store.ListPeers();

        await (await developer.PostJson("/v1/admin/peers",
            ApiServer.NewPeer("developer3", server.Network.FreeDeveloperIp,
            TestNetwork.DeveloperCidrId))).AssertStatusAsync(HttpStatusCode.Unauthorized);
        await (await developer.PutJson("/v1/admin/peers/4",
            server.Peer(4).Contents with { Name = "renamed" })).AssertStatusAsync(HttpStatusCode.Unauthorized);
        await (await developer.Get("/v1/admin/peers")).AssertStatusAsync(HttpStatusCode.Unauthorized);
        await (await developer.Delete("/v1/admin/peers/4")).AssertStatusAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(peers, server.Store.ListPeers());
    }

    [Fact]
    public async Task List_ReturnsAllSixPeersInInsertionOrder_IncludingDisabledAndUnredeemed()
    {
        await using var server = await ApiServer.StartAsync();
        var admin = server.Admin();

        var six = await (await admin.Get("/v1/admin/peers")).ReadJsonAsync<List<Peer>>();
        server.AddInvitee();
        server.AddRetired();
        var eight = await (await admin.Get("/v1/admin/peers")).ReadJsonAsync<List<Peer>>();

        Assert.Equal(["innernet-server", "admin", "developer1", "developer2", "user1", "user2"], six.Select(p => p.Name));
        Assert.Equal([1L, 2, 3, 4, 5, 6], six.Select(p => p.Id));
        Assert.Equal(["invitee", "retired"], eight.Skip(6).Select(p => p.Name));
    }

    [Fact]
    public async Task List_InjectsObservedEndpoints_AndReportsKeepalive25()
    {
        await using var server = await ApiServer.StartAsync();

        var peers = await (await server.Admin().Get("/v1/admin/peers")).ReadJsonAsync<List<Peer>>();

        Assert.Equal(Endpoint.FromIPEndPoint(ApiServer.Developer1Observed), peers.Single(p => p.Name == "developer1").Endpoint);
        Assert.Equal(Endpoint.FromIPEndPoint(ApiServer.Developer2Observed), peers.Single(p => p.Name == "developer2").Endpoint);
        Assert.Null(peers.Single(p => p.Name == "user1").Endpoint);
        Assert.All(peers, p => Assert.Equal((ushort)25, p.PersistentKeepaliveInterval));
    }

    [Fact]
    public async Task Rename_Is204_AndStored()
    {
        await using var server = await ApiServer.StartAsync();
        var before = server.Peer(TestNetwork.User2Id);

        var response = await server.Admin().PutJson("/v1/admin/peers/6", before.Contents with { Name = "user2-renamed" });

        await response.AssertStatusAsync(HttpStatusCode.NoContent);
        Assert.Equal(before with { Name = "user2-renamed" }, server.Peer(TestNetwork.User2Id));
        Assert.Empty(server.PeerSync.EnabledChanged);
    }

    [Theory]
    [InlineData("developer1")]
    [InlineData("Bad Name")]
    public async Task Rename_ToATakenOrInvalidName_Is400(string name)
    {
        await using var server = await ApiServer.StartAsync();
        var before = server.Peer(TestNetwork.User2Id);

        await (await server.Admin().PutJson("/v1/admin/peers/6",
            before.Contents with { Name = name })).AssertStatusAsync(HttpStatusCode.BadRequest);
        Assert.Equal(before, server.Peer(TestNetwork.User2Id));
    }

    [Fact]
    public async Task Update_UnknownId_Is404()
    {
        await using var server = await ApiServer.StartAsync();

        await (await server.Admin().PutJson("/v1/admin/peers/99",
            server.Peer(6).Contents with { Name = "ghost" })).AssertStatusAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Update_IgnoresIpCidrKeyRedeemedAndExpiry_AppliesAdminEndpointAndCandidates()
    {
        await using var server = await ApiServer.StartAsync();
        var before = server.Peer(TestNetwork.User1Id);
        var endpoint = Endpoint.Parse("192.0.2.99:1234");
        List<Endpoint> candidates = [Endpoint.Parse("192.0.2.98:1234")];

        var response = await server.Admin().PutJson("/v1/admin/peers/5", before.Contents with
        {
            Ip = server.Network.FreeDeveloperIp,
            CidrId = TestNetwork.DeveloperCidrId,
            PublicKey = TestKeys.RandomKey(),
            IsRedeemed = false,
            InviteExpires = DateTimeOffset.FromUnixTimeSeconds(2_000_000_000),
            IsAdmin = true,
            Endpoint = endpoint,
            Candidates = candidates,
        });

        await response.AssertStatusAsync(HttpStatusCode.NoContent);
        Assert.Equal(before with { IsAdmin = true, Endpoint = endpoint, Candidates = candidates }, server.Peer(TestNetwork.User1Id));
    }

    [Fact]
    public async Task Update_EchoOfTheListedPeer_DoesNotPersistInjectedEndpointOrCandidate()
    {
        await using var server = await ApiServer.StartAsync();
        var admin = server.Admin();
        var stored = server.Peer(TestNetwork.Developer1Id);
        var listed = (await (await admin.Get("/v1/admin/peers")).ReadJsonAsync<List<Peer>>()).Single(p => p.Id == stored.Id);
        Assert.NotNull(listed.Endpoint);

        // What innernet's rename-peer does: GET the peer, change the name, PUT everything back.
        await (await admin.PutJson("/v1/admin/peers/3",
            listed.Contents with { Name = "developer-one" })).AssertStatusAsync(HttpStatusCode.NoContent);

        Assert.Equal(stored with { Name = "developer-one" }, server.Peer(stored.Id));
    }

    [Fact]
    public async Task Update_EchoOfAnOverriddenPeer_KeepsTheOverrideAndTheReportedCandidates()
    {
        await using var server = await ApiServer.StartAsync();
        var admin = server.Admin();
        server.Store.SetEndpoint(TestNetwork.Developer1Id, Endpoint.Parse("0.0.0.0:40000"));
        server.Store.SetCandidates(TestNetwork.Developer1Id, [Endpoint.Parse("192.168.7.7:51820")]);
        var stored = server.Peer(TestNetwork.Developer1Id);
        var listed = (await (await admin.Get("/v1/admin/peers")).ReadJsonAsync<List<Peer>>()).Single(p => p.Id == stored.Id);
        Assert.Equal(2, listed.Candidates.Count);

        await (await admin.PutJson("/v1/admin/peers/3",
            listed.Contents with { IsAdmin = true })).AssertStatusAsync(HttpStatusCode.NoContent);

        Assert.Equal(stored with { IsAdmin = true }, server.Peer(stored.Id));
    }

    [Fact]
    public async Task Update_RealEndpointChange_IsPersisted()
    {
        await using var server = await ApiServer.StartAsync();
        var admin = server.Admin();
        var listed = (await (await admin.Get("/v1/admin/peers")).ReadJsonAsync<List<Peer>>()).Single(p => p.Id == TestNetwork.Developer1Id);
        var chosen = Endpoint.Parse("vpn.example.net:51820");

        await (await admin.PutJson("/v1/admin/peers/3",
            listed.Contents with { Endpoint = chosen })).AssertStatusAsync(HttpStatusCode.NoContent);

        Assert.Equal(chosen, server.Peer(TestNetwork.Developer1Id).Endpoint);
    }

    [Fact]
    public async Task Update_DisableThenEnable_ReachesWireGuard()
    {
        await using var server = await ApiServer.StartAsync();
        var admin = server.Admin();
        var contents = server.Peer(TestNetwork.User1Id).Contents;

        await (await admin.PutJson("/v1/admin/peers/5", contents with { IsDisabled = true })).AssertStatusAsync(HttpStatusCode.NoContent);
        Assert.True(server.Peer(TestNetwork.User1Id).IsDisabled);
        await (await server.ClientFrom(server.Network.User1).Get("/v1/user/state")).AssertStatusAsync(HttpStatusCode.Unauthorized);
        await (await admin.PutJson("/v1/admin/peers/5", contents with { IsDisabled = false })).AssertStatusAsync(HttpStatusCode.NoContent);
        await (await admin.PutJson("/v1/admin/peers/5", contents with { IsDisabled = false })).AssertStatusAsync(HttpStatusCode.NoContent);

        Assert.Equal(["disabled user1", "enabled user1"], server.PeerSync.Calls);
    }

    [Fact]
    public async Task Delete_DisablesThePeer_AndReachesWireGuard()
    {
        await using var server = await ApiServer.StartAsync();
        var admin = server.Admin();

        await (await admin.Delete("/v1/admin/peers/4")).AssertStatusAsync(HttpStatusCode.NoContent);
        var listed = await (await admin.Get("/v1/admin/peers")).ReadJsonAsync<List<Peer>>();
        var state = await (await server.Developer1().Get("/v1/user/state")).ReadJsonAsync<State>();

        Assert.True(listed.Single(p => p.Id == TestNetwork.Developer2Id).IsDisabled);
        Assert.Equal(6, listed.Count);
        Assert.DoesNotContain(state.Peers, p => p.Id == TestNetwork.Developer2Id);
        Assert.Equal(TestNetwork.Developer2Id, Assert.Single(server.PeerSync.EnabledChanged).Id);
    }

    [Fact]
    public async Task Delete_UnknownId_Is404()
    {
        await using var server = await ApiServer.StartAsync();

        await (await server.Admin().Delete("/v1/admin/peers/99")).AssertStatusAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ServerPeer_CannotBeDeletedOrDisabled_400WithALogLine()
    {
        await using var server = await ApiServer.StartAsync();
        var admin = server.Admin();

        await (await admin.Delete("/v1/admin/peers/1")).AssertStatusAsync(HttpStatusCode.BadRequest);
        await (await admin.PutJson("/v1/admin/peers/1",
            server.Peer(Peer.ServerId).Contents with { IsDisabled = true })).AssertStatusAsync(HttpStatusCode.BadRequest);

        Assert.False(server.Peer(Peer.ServerId).IsDisabled);
        Assert.Empty(server.PeerSync.EnabledChanged);
        Assert.Equal(2, server.Logs.Lines.Count(l => l.Contains("tried to disable the server peer", StringComparison.Ordinal)
            && l.Contains("admin", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task ServerPeer_CanStillBeRenamed()
    {
        await using var server = await ApiServer.StartAsync();

        await (await server.Admin().PutJson("/v1/admin/peers/1",
            server.Peer(Peer.ServerId).Contents with { Name = "hub" })).AssertStatusAsync(HttpStatusCode.NoContent);

        Assert.Equal("hub", server.Peer(Peer.ServerId).Name);
    }

    [Fact]
    public async Task UnredeemedAdmin_IsNotAdminCapable_401()
    {
        await using var server = await ApiServer.StartAsync();
        server.Store.AddPeer(ApiServer.NewPeer("admin2", IPAddress.Parse("127.80.1.2"), TestNetwork.AdminCidrId,
            isAdmin: true) with { IsRedeemed = false });

        await (await server.ClientFrom(IPAddress.Parse("127.80.1.2")).Get("/v1/admin/peers"))
            .AssertStatusAsync(HttpStatusCode.Unauthorized);
    }
}
