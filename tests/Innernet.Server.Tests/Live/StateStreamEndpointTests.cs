using System.Text.Json.Nodes;
using Innernet.Core.Contracts;
using Innernet.Server.Api.Live;

namespace Innernet.Server.Tests.Live;

/// <summary>
/// <c>GET /v1/user/state/stream</c> over real Kestrel and real HTTP from the peers' own loopback addresses: what
/// each viewer receives, message by message, as admins change the network. The server's clock is a manual one, so
/// the coalescing window passes only when a test moves it.
/// </summary>
public sealed class StateStreamEndpointTests
{
    private const long ServerPeerId = 1;
    private const string StreamPath = "/v1/user/state/stream";

    [Fact]
    public async Task Stream_FirstMessage_IsTheFullViewOfGetState()
    {
        await using var server = await ApiServer.StartAsync();
        var developer1 = server.Developer1();
        await using var stream = await StateStreamClient.OpenAsync(developer1);

        var first = await stream.ReadMessageAsync();

        Assert.Equal(HttpStatusCode.OK, stream.Response.StatusCode);
        Assert.Equal("application/x-ndjson", stream.Response.Content.Headers.ContentType?.MediaType);
        Assert.True(first.Full);
        Assert.Null(first.Since);
        Assert.Empty(first.Removed);
        Assert.Equal([ServerPeerId, TestNetwork.Developer1Id, TestNetwork.Developer2Id], first.Peers.Select(p => p.Id));
        var state = await (await developer1.Get("/v1/user/state")).ReadJsonAsync<State>();
        Assert.Equal(PeersJson(state.Peers), PeersJson(first.Peers));
        Assert.Equal(state.Cidrs, first.Cidrs);
    }

    [Fact]
    public async Task Stream_VisibleChange_ArrivesAsOneDifferenceSinceThePreviousVersion()
    {
        await using var server = await ApiServer.StartAsync();
        await using var stream = await StateStreamClient.OpenAsync(server.Developer1());
        var first = await stream.ReadMessageAsync();

        var added = await AddPeerAsync(server, "developer3", server.Network.FreeDeveloperIp, TestNetwork.DeveloperCidrId);
        server.Time.Advance(StateFeed.MaxDelay);
        var update = await stream.ReadMessageAsync();

        Assert.False(update.Full);
        Assert.Equal(first.Version, update.Since);
        Assert.NotEqual(first.Version, update.Version);
        Assert.Equal("developer3", Assert.Single(update.Peers).Name);
        Assert.Equal(added.Id, update.Peers[0].Id);
        Assert.Empty(update.Removed);
        Assert.Null(update.Cidrs);
    }

    [Fact]
    public async Task Stream_InvisibleWrite_SendsNothing()
    {
        await using var server = await ApiServer.StartAsync();
        await using var stream = await StateStreamClient.OpenAsync(server.Developer1());
        var first = await stream.ReadMessageAsync();

        // The user CIDR is not visible from the developer CIDR.
        await AddPeerAsync(server, "user3", server.Network.InviteeIp, TestNetwork.UserCidrId);
        server.Time.Advance(StateFeed.MaxDelay);
        await AddPeerAsync(server, "developer3", server.Network.FreeDeveloperIp, TestNetwork.DeveloperCidrId);
        server.Time.Advance(StateFeed.MaxDelay);
        var next = await stream.ReadMessageAsync();

        Assert.Equal(first.Version, next.Since);
        Assert.Equal("developer3", Assert.Single(next.Peers).Name);
    }

    [Fact]
    public async Task Stream_ThousandChangesInOneWindow_OneMessagePerViewer()
    {
        await using var server = await ApiServer.StartAsync();
        await using var developer1 = await StateStreamClient.OpenAsync(server.Developer1());
        await using var developer2 = await StateStreamClient.OpenAsync(server.Developer2());
        var first1 = await developer1.ReadMessageAsync();
        var first2 = await developer2.ReadMessageAsync();
        var admin = server.Admin();

        for (int i = 0; i < 1000; i++)
        {
            await RenameDeveloper2Async(admin, server, $"developer2-{i}");
        }

        server.Time.Advance(StateFeed.MaxDelay);
        var burst1 = await developer1.ReadMessageAsync();
        var burst2 = await developer2.ReadMessageAsync();
        await AddPeerAsync(server, "developer3", server.Network.FreeDeveloperIp, TestNetwork.DeveloperCidrId);
        server.Time.Advance(StateFeed.MaxDelay);
        var after1 = await developer1.ReadMessageAsync();

        Assert.Equal(first1.Version, burst1.Since);
        Assert.Equal(first2.Version, burst2.Since);
        Assert.Equal("developer2-999", Assert.Single(burst1.Peers).Name);
        Assert.Equal("developer2-999", Assert.Single(burst2.Peers).Name);
        // Nothing else was queued from the burst: the next message follows it directly.
        Assert.Equal(burst1.Version, after1.Since);
        Assert.Equal("developer3", Assert.Single(after1.Peers).Name);
    }

    [Fact]
    public async Task Stream_ChangesThatKeepComing_ArePublishedAtMostMaxDelayAfterTheFirst()
    {
        await using var server = await ApiServer.StartAsync();
        await using var stream = await StateStreamClient.OpenAsync(server.Developer1());
        var first = await stream.ReadMessageAsync();
        var step = StateFeed.QuietPeriod / 2;
        int steps = (int)(StateFeed.MaxDelay / step);
        var admin = server.Admin();

        long passes = server.Feed.Passes;
        for (int i = 0; i < steps; i++)
        {
            await RenameDeveloper2Async(admin, server, $"developer2-{i}");
            server.Time.Advance(step);
        }

        var update = await stream.ReadMessageAsync();

        // The last change came one step ago, within the quiet period: only the cap made the pass run.
        Assert.Equal(passes + 1, server.Feed.Passes);
        Assert.Equal(first.Version, update.Since);
        Assert.Equal($"developer2-{steps - 1}", Assert.Single(update.Peers).Name);
    }

    [Fact]
    public async Task Stream_SingleChange_IsPublishedWhenTheQuietPeriodEnds()
    {
        await using var server = await ApiServer.StartAsync();
        await using var stream = await StateStreamClient.OpenAsync(server.Developer1());
        await stream.ReadMessageAsync();
        long passes = server.Feed.Passes;

        await RenameDeveloper2Async(server.Admin(), server, "renamed");
        server.Time.Advance(StateFeed.QuietPeriod - TimeSpan.FromMilliseconds(1));
        long early = server.Feed.Passes;
        server.Time.Advance(TimeSpan.FromMilliseconds(1));
        var update = await stream.ReadMessageAsync();

        Assert.Equal(passes, early);
        Assert.Equal(passes + 1, server.Feed.Passes);
        Assert.Equal("renamed", Assert.Single(update.Peers).Name);
    }

    [Fact]
    public async Task Stream_ObservedEndpointChange_ArrivesWithoutAnyWrite()
    {
        var sync = new Api.GenerationPeerSync();
        await using var server = await ApiServer.StartAsync(peerSync: sync);
        await using var stream = await StateStreamClient.OpenAsync(server.Developer1());
        var first = await stream.ReadMessageAsync();
        var observed = IPEndPoint.Parse("198.51.100.77:41000");

        sync.Observe(server.Peer(TestNetwork.Developer2Id).PublicKey, observed);
        server.Time.Advance(StateFeed.CheckInterval);
        server.Time.Advance(StateFeed.MaxDelay);
        var update = await stream.ReadMessageAsync();

        Assert.Equal(first.Version, update.Since);
        var developer2 = Assert.Single(update.Peers);
        Assert.Equal(TestNetwork.Developer2Id, developer2.Id);
        Assert.Equal(Endpoint.Parse("198.51.100.77:41000"), developer2.Endpoint);
    }

    [Fact]
    public async Task Stream_ResumedWithARetainedToken_GetsOneDifferenceCoveringEverythingSince()
    {
        await using var server = await ApiServer.StartAsync();
        string token = await FirstVersionThenCloseAsync(server);
        var admin = server.Admin();
        var added = await AddPeerAsync(server, "developer3", server.Network.FreeDeveloperIp, TestNetwork.DeveloperCidrId);
        server.Time.Advance(StateFeed.MaxDelay);
        (await admin.Delete($"/v1/admin/peers/{TestNetwork.Developer2Id}")).EnsureSuccessStatusCode();
        server.Time.Advance(StateFeed.MaxDelay);
        await using var resumed = await StateStreamClient.OpenAsync(server.Developer1(), since: token);
        var update = await resumed.ReadMessageAsync();

        Assert.False(update.Full);
        Assert.Equal(token, update.Since);
        Assert.Equal([added.Id], update.Peers.Select(p => p.Id));
        Assert.Equal([TestNetwork.Developer2Id], update.Removed);
    }

    [Fact]
    public async Task Stream_ResumedOverAnAddThenADisable_GetsOnlyTheRemoval()
    {
        await using var server = await ApiServer.StartAsync();
        string token = await FirstVersionThenCloseAsync(server);
        var added = await AddPeerAsync(server, "developer3", server.Network.FreeDeveloperIp, TestNetwork.DeveloperCidrId);
        server.Time.Advance(StateFeed.MaxDelay);
        (await server.Admin().Delete($"/v1/admin/peers/{added.Id}")).EnsureSuccessStatusCode();
        server.Time.Advance(StateFeed.MaxDelay);

        await using var resumed = await StateStreamClient.OpenAsync(server.Developer1(), since: token);
        var update = await resumed.ReadMessageAsync();

        Assert.Equal(token, update.Since);
        Assert.Empty(update.Peers);
        Assert.Equal([added.Id], update.Removed);
    }

    [Fact]
    public async Task Stream_ResumedFromBeyondTheHistory_GetsAFullView()
    {
        await using var server = await ApiServer.StartAsync();
        string token = await FirstVersionThenCloseAsync(server);
        var admin = server.Admin();
        for (int i = 0; i <= CidrView.MaxHistory; i++)
        {
            await RenameDeveloper2Async(admin, server, $"developer2-{i}");
            server.Time.Advance(StateFeed.MaxDelay);
        }

        await using var resumed = await StateStreamClient.OpenAsync(server.Developer1(), since: token);
        var first = await resumed.ReadMessageAsync();

        Assert.True(first.Full);
        Assert.Equal($"developer2-{CidrView.MaxHistory}", first.Peers.Single(p => p.Id == TestNetwork.Developer2Id).Name);
    }

    [Fact]
    public async Task Stream_ResumedWithTheCurrentToken_SendsNothingUntilAChange()
    {
        await using var server = await ApiServer.StartAsync();
        string token = await FirstVersionThenCloseAsync(server);
        await using var resumed = await StateStreamClient.OpenAsync(server.Developer1(), since: token);
        await AddPeerAsync(server, "developer3", server.Network.FreeDeveloperIp, TestNetwork.DeveloperCidrId);
        server.Time.Advance(StateFeed.MaxDelay);
        var update = await resumed.ReadMessageAsync();

        Assert.False(update.Full);
        Assert.Equal(token, update.Since);
        Assert.Equal("developer3", Assert.Single(update.Peers).Name);
    }

    [Fact]
    public async Task Stream_ResumedAfterTheViewLingeredOut_GetsAFullView()
    {
        await using var server = await ApiServer.StartAsync();
        string token = await FirstVersionThenCloseAsync(server);
        server.Time.Advance(StateFeed.ViewLinger + StateFeed.CheckInterval);
        int views = server.Feed.ViewCount;
        await using var resumed = await StateStreamClient.OpenAsync(server.Developer1(), since: token);
        var first = await resumed.ReadMessageAsync();

        Assert.Equal(0, views);
        Assert.True(first.Full);
    }

    [Theory]
    [InlineData("not-a-token")]
    [InlineData("0123456789abcdef-1")]
    public async Task Stream_UnknownToken_GetsAFullView(string since)
    {
        await using var server = await ApiServer.StartAsync();
        await using var stream = await StateStreamClient.OpenAsync(server.Developer1(), since);

        var first = await stream.ReadMessageAsync();

        Assert.True(first.Full);
        Assert.Equal(3, first.Peers.Count);
    }

    [Fact]
    public async Task Stream_TokenFromBeforeARestart_GetsAFullView_AndTheRestartEndsHeldStreams()
    {
        await using var server = await ApiServer.StartAsync();
        var stream = await StateStreamClient.OpenAsync(server.Developer1());
        string token = (await stream.ReadMessageAsync()).Version;

        await server.RestartAsync();
        await stream.AssertEndsAsync();
        await stream.DisposeAsync();
        await using var resumed = await StateStreamClient.OpenAsync(server.Developer1(), since: token);
        var first = await resumed.ReadMessageAsync();

        Assert.True(first.Full);
        Assert.Null(first.Since);
        Assert.Equal([ServerPeerId, TestNetwork.Developer1Id, TestNetwork.Developer2Id], first.Peers.Select(p => p.Id));
    }

    [Theory]
    [InlineData("DELETE", "")] // innernet's soft delete: disabled
    [InlineData("POST", "/delete")] // deleted for good
    public async Task Stream_DisabledOrDeletedPeer_IsRemovedForOthers_AndItsOwnStreamEnds(string method, string suffix)
    {
        await using var server = await ApiServer.StartAsync();
        await using var developer1 = await StateStreamClient.OpenAsync(server.Developer1());
        await using var developer2 = await StateStreamClient.OpenAsync(server.Developer2());
        var first = await developer1.ReadMessageAsync();
        await developer2.ReadMessageAsync();

        (await server.Admin().Send(new HttpMethod(method),
            $"/v1/admin/peers/{TestNetwork.Developer2Id}{suffix}")).EnsureSuccessStatusCode();
        server.Time.Advance(StateFeed.MaxDelay);
        var update = await developer1.ReadMessageAsync();

        Assert.Equal(first.Version, update.Since);
        Assert.Equal([TestNetwork.Developer2Id], update.Removed);
        Assert.Empty(update.Peers);
        await developer2.AssertEndsAsync();
        await (await server.Developer2().Get(StreamPath)).AssertStatusAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Stream_AssociationAddedThenRemoved_PeersAppearAndDisappearOnBothSides()
    {
        await using var server = await ApiServer.StartAsync();
        await using var developer1 = await StateStreamClient.OpenAsync(server.Developer1());
        await using var user1 = await StateStreamClient.OpenAsync(server.ClientFrom(server.Network.User1));
        await developer1.ReadMessageAsync();
        await user1.ReadMessageAsync();
        var admin = server.Admin();

        var created = await admin.PostJson("/v1/admin/associations",
            new AssociationContents(TestNetwork.DeveloperCidrId, TestNetwork.UserCidrId));
        created.EnsureSuccessStatusCode();
        server.Time.Advance(StateFeed.MaxDelay);
        var developerSees = await developer1.ReadMessageAsync();
        var userSees = await user1.ReadMessageAsync();
        long association = Assert.Single(server.Store.ListAssociations()).Id;
        (await admin.Delete($"/v1/admin/associations/{association}")).EnsureSuccessStatusCode();
        server.Time.Advance(StateFeed.MaxDelay);
        var developerLoses = await developer1.ReadMessageAsync();
        var userLoses = await user1.ReadMessageAsync();

        Assert.Equal([TestNetwork.User1Id, TestNetwork.User2Id], developerSees.Peers.Select(p => p.Id));
        Assert.Equal([TestNetwork.Developer1Id, TestNetwork.Developer2Id], userSees.Peers.Select(p => p.Id));
        Assert.Equal([TestNetwork.User1Id, TestNetwork.User2Id], developerLoses.Removed);
        Assert.Equal([TestNetwork.Developer1Id, TestNetwork.Developer2Id], userLoses.Removed);
        Assert.Null(developerSees.Cidrs);
    }

    [Fact]
    public async Task Stream_CidrRenamed_DifferenceCarriesEveryCidr()
    {
        await using var server = await ApiServer.StartAsync();
        await using var stream = await StateStreamClient.OpenAsync(server.Developer1());
        var first = await stream.ReadMessageAsync();
        var user = server.Store.GetCidr(TestNetwork.UserCidrId)!;

        (await server.Admin().PutJson($"/v1/admin/cidrs/{user.Id}", user.Contents with { Name = "customers" })).EnsureSuccessStatusCode();
        server.Time.Advance(StateFeed.MaxDelay);
        var update = await stream.ReadMessageAsync();

        Assert.Equal(first.Version, update.Since);
        Assert.Empty(update.Peers);
        Assert.Empty(update.Removed);
        Assert.NotNull(update.Cidrs);
        Assert.Equal(first.Cidrs!.Count, update.Cidrs.Count);
        Assert.Equal("customers", update.Cidrs.Single(c => c.Id == user.Id).Name);
    }

    [Fact]
    public async Task Stream_SecondStreamOfTheSamePeer_EndsTheFirst()
    {
        await using var server = await ApiServer.StartAsync();
        await using var older = await StateStreamClient.OpenAsync(server.Developer1());
        await older.ReadMessageAsync();

        await using var newer = await StateStreamClient.OpenAsync(server.Developer1());
        var first = await newer.ReadMessageAsync();

        Assert.True(first.Full);
        await older.AssertEndsAsync();
        Assert.Equal(1, server.Feed.StreamCount);
    }

    [Fact]
    public async Task Stream_SixtySecondsWithoutAMessage_SendsAHeartbeat()
    {
        await using var server = await ApiServer.StartAsync();
        await using var stream = await StateStreamClient.OpenAsync(server.Developer1());
        await stream.ReadMessageAsync();

        server.Time.Advance(StateFeed.HeartbeatInterval - TimeSpan.FromSeconds(1));
        await AddPeerAsync(server, "developer3", server.Network.FreeDeveloperIp, TestNetwork.DeveloperCidrId);
        server.Time.Advance(StateFeed.MaxDelay);
        string? beforeHeartbeat = await stream.ReadLineAsync();
        server.Time.Advance(StateFeed.HeartbeatInterval + StateFeed.CheckInterval);
        string? heartbeat = await stream.ReadLineAsync();

        Assert.False(string.IsNullOrEmpty(beforeHeartbeat));
        Assert.Equal(string.Empty, heartbeat);
    }

    [Fact]
    public async Task Stream_DisabledOrUnredeemedCaller_Is401BeforeAnyByte()
    {
        await using var server = await ApiServer.StartAsync();
        server.AddRetired();
        server.AddInvitee();

        var retired = await server.ClientFrom(server.Network.RetiredIp).Get(StreamPath);
        var invitee = await server.ClientFrom(server.Network.InviteeIp).Get(StreamPath);

        await retired.AssertStatusAsync(HttpStatusCode.Unauthorized);
        await invitee.AssertStatusAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(0, server.Feed.StreamCount);
    }

    [Fact]
    public async Task Stream_ServerStops_HeldStreamsEndPromptly()
    {
        var server = await ApiServer.StartAsync();
        var stream = await StateStreamClient.OpenAsync(server.Developer1());
        await stream.ReadMessageAsync();

        var stopping = server.DisposeAsync().AsTask();

        await stream.AssertEndsAsync();
        await stopping.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        await stream.DisposeAsync();
    }

    private static async Task<Peer> AddPeerAsync(ApiServer server, string name, IPAddress ip, long cidrId)
    {
        var response = await server.Admin().PostJson("/v1/admin/peers", ApiServer.NewPeer(name, ip, cidrId));
        response.EnsureSuccessStatusCode();
        return await response.ReadJsonAsync<Peer>();
    }

    /// <summary>Developer1's first version, from a stream that is then closed (and gone from the feed).</summary>
    private static async Task<string> FirstVersionThenCloseAsync(ApiServer server)
    {
        string token;
        await using (var stream = await StateStreamClient.OpenAsync(server.Developer1()))
        {
            token = (await stream.ReadMessageAsync()).Version;
        }

        await Eventually.TrueAsync(() => server.Feed.StreamCount == 0, "the first stream to be gone");
        return token;
    }

    private static async Task RenameDeveloper2Async(HttpClient admin, ApiServer server, string name)
    {
        var contents = server.Peer(TestNetwork.Developer2Id).Contents with { Name = name };
        (await admin.PutJson($"/v1/admin/peers/{TestNetwork.Developer2Id}", contents)).EnsureSuccessStatusCode();
    }

    private static string PeersJson(IReadOnlyList<Peer> peers) => JsonNode.Parse(InnernetJson.Serialize(peers))!.ToJsonString();
}
