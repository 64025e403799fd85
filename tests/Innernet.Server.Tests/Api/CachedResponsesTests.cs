using Innernet.Core.Contracts;
using Innernet.Server.Api;

namespace Innernet.Server.Tests.Api;

/// <summary>
/// <c>GET /v1/user/state</c> and <c>GET /v1/admin/peers</c> served from the per-state body cache: identical bytes
/// for the peers of one CIDR, each CIDR its own view, and never a stale answer after a write or an endpoint change.
/// </summary>
public sealed class CachedResponsesTests
{
    private static readonly IPEndPoint Developer2Moved = IPEndPoint.Parse("198.51.100.99:40000");

    private static async Task<(ApiServer Server, GenerationPeerSync Sync)> StartAsync()
    {
        var sync = new GenerationPeerSync();
        var server = await ApiServer.StartAsync(peerSync: sync);
        sync.Observe(server.Peer(TestNetwork.Developer1Id).PublicKey, ApiServer.Developer1Observed);
        sync.Observe(server.Peer(TestNetwork.Developer2Id).PublicKey, ApiServer.Developer2Observed);
        return (server, sync);
    }

    private static async Task<byte[]> BytesAsync(HttpClient client, string path)
    {
        var response = await client.Get(path);
        await response.AssertStatusAsync(HttpStatusCode.OK);
        return await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
    }

    private static Task<byte[]> StateAsync(HttpClient client) => BytesAsync(client, "/v1/user/state");

    private static State Parse(byte[] body) => InnernetJson.Deserialize<State>(body);

    [Fact]
    public async Task PeersOfOneCidr_GetIdenticalBytes_OtherCidrsTheirOwnView()
    {
        var (server, _) = await StartAsync();
        await using var _ = server;

        var developer1 = await StateAsync(server.Developer1());
        var developer2 = await StateAsync(server.Developer2());
        var admin = await StateAsync(server.Admin());
        var user1 = await StateAsync(server.ClientFrom(server.Network.User1));

        Assert.Equal(developer1, developer2);
        Assert.Equal(["developer1", "developer2", "innernet-server"], Parse(developer1).Peers.Select(p => p.Name).Order());
        Assert.Equal(["admin", "innernet-server"], Parse(admin).Peers.Select(p => p.Name).Order());
        Assert.Equal(["innernet-server", "user1", "user2"], Parse(user1).Peers.Select(p => p.Name).Order());
    }

    [Fact]
    public async Task CachedBody_IsExactlyTheSerializedState_WithContentTypeAndLength()
    {
        var (server, sync) = await StartAsync();
        await using var _ = server;
        await StateAsync(server.Developer2());

        var response = await server.Developer1().Get("/v1/user/state");
        var body = await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);

        // The serialization the endpoint did before the cache: visible peers, endpoints injected, every CIDR.
        var state = server.Store.GetState(TestNetwork.Developer1Id);
        var expected = InnernetJson.SerializeToUtf8Bytes(
            new State(state.Peers.Select(p => EndpointInjection.Serve(p, sync)).ToList(), state.Cidrs));
        Assert.Equal(expected, body);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.ToString());
        Assert.Equal(body.Length, response.Content.Headers.ContentLength);
        Assert.False(response.Headers.TransferEncodingChunked ?? false);
    }

    [Fact]
    public async Task AdminPeers_IsExactlyTheSerializedList_WithContentLength()
    {
        var (server, sync) = await StartAsync();
        await using var _ = server;
        await BytesAsync(server.Admin(), "/v1/admin/peers");

        var response = await server.Admin().Get("/v1/admin/peers");
        var body = await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);

        var expected = InnernetJson.SerializeToUtf8Bytes(server.Store.ListPeers().Select(p => EndpointInjection.Serve(p, sync)).ToList());
        Assert.Equal(expected, body);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.ToString());
        Assert.Equal(body.Length, response.Content.Headers.ContentLength);
    }

    public static TheoryData<string> Writes => new(["add peer", "disable", "rename", "association", "candidates", "endpoint"]);

    [Theory]
    [MemberData(nameof(Writes))]
    public async Task AfterAWrite_TheNextStateAndPeerListReflectIt(string write)
    {
        var (server, _) = await StartAsync();
        await using var _ = server;
        var developer1 = server.Developer1();
        var admin = server.Admin();
        var stateBefore = await StateAsync(developer1);
        var peersBefore = await BytesAsync(admin, "/v1/admin/peers");
        await StateAsync(server.Developer2());

        Func<State, bool> visible;
        Func<List<Peer>, bool> listed;
        switch (write)
        {
            case "add peer":
                var added = ApiServer.NewPeer("developer3", server.Network.FreeDeveloperIp, TestNetwork.DeveloperCidrId);
                await (await admin.PostJson("/v1/admin/peers", added)).AssertStatusAsync(HttpStatusCode.Created);
                visible = s => s.Peers.Any(p => p.Name == "developer3");
                listed = l => l.Any(p => p.Name == "developer3");
                break;
            case "disable":
                await (await admin.Delete($"/v1/admin/peers/{TestNetwork.Developer2Id}")).AssertStatusAsync(HttpStatusCode.NoContent);
                visible = s => s.Peers.All(p => p.Name != "developer2");
                listed = l => l.Single(p => p.Name == "developer2").IsDisabled;
                break;
            case "rename":
                var developer2 = server.Peer(TestNetwork.Developer2Id);
                await (await admin.PutJson($"/v1/admin/peers/{TestNetwork.Developer2Id}",
                    developer2.Contents with { Name = "developer-two" }))
                    .AssertStatusAsync(HttpStatusCode.NoContent);
                visible = s => s.Peers.Any(p => p.Name == "developer-two");
                listed = l => l.Any(p => p.Name == "developer-two");
                break;
            case "association":
                await (await admin.PostJson("/v1/admin/associations",
                    new AssociationContents(TestNetwork.DeveloperCidrId, TestNetwork.UserCidrId)))
                    .AssertStatusAsync(HttpStatusCode.Created);
                visible = s => s.Peers.Any(p => p.Name == "user1");
                listed = _ => true; // the peer list does not show associations
                break;
            case "candidates":
                var reported = Endpoint.Parse("192.0.2.44:51820");
                await (await server.Developer2().PutJson("/v1/user/candidates",
                    new List<Endpoint> { reported })).AssertStatusAsync(HttpStatusCode.NoContent);
                visible = s => s.Peers.Single(p => p.Name == "developer2").Candidates.Contains(reported);
                listed = l => l.Single(p => p.Name == "developer2").Candidates.Contains(reported);
                break;
            default:
                var own = Endpoint.Parse("192.0.2.45:51820");
                await (await server.Developer2().PutJson("/v1/user/endpoint",
                    EndpointContents.Set(own))).AssertStatusAsync(HttpStatusCode.NoContent);
                visible = s => s.Peers.Single(p => p.Name == "developer2").Endpoint == own;
                listed = l => l.Single(p => p.Name == "developer2").Endpoint == own;
                break;
        }

        var stateAfter = await StateAsync(developer1);
        var peersAfter = await BytesAsync(admin, "/v1/admin/peers");

        Assert.False(visible(Parse(stateBefore)));
        Assert.True(visible(Parse(stateAfter)), $"after '{write}' the state still lacks it");
        Assert.True(listed(InnernetJson.Deserialize<List<Peer>>(peersAfter)), $"after '{write}' the peer list still lacks it");
        if (write != "association")
        {
            Assert.NotEqual(peersBefore, peersAfter);
        }
    }

    [Fact]
    public async Task AfterAnEndpointChange_TheNextStateAndPeerListReflectIt()
    {
        var (server, sync) = await StartAsync();
        await using var _ = server;
        var developer1 = server.Developer1();
        var admin = server.Admin();
        var stateBefore = Parse(await StateAsync(developer1));
        await BytesAsync(admin, "/v1/admin/peers");

        sync.Observe(server.Peer(TestNetwork.Developer2Id).PublicKey, Developer2Moved);
        var stateAfter = Parse(await StateAsync(developer1));
        var peersAfter = InnernetJson.Deserialize<List<Peer>>(await BytesAsync(admin, "/v1/admin/peers"));

        Assert.Equal(Endpoint.FromIPEndPoint(ApiServer.Developer2Observed), stateBefore.Peers.Single(p => p.Name == "developer2").Endpoint);
        Assert.Equal(Endpoint.FromIPEndPoint(Developer2Moved), stateAfter.Peers.Single(p => p.Name == "developer2").Endpoint);
        Assert.Equal(Endpoint.FromIPEndPoint(Developer2Moved), peersAfter.Single(p => p.Name == "developer2").Endpoint);
    }

    [Fact]
    public async Task SyncWithoutGeneration_IsNotCached_SoEndpointChangesShowAtOnce()
    {
        await using var server = await ApiServer.StartAsync();
        var before = Parse(await StateAsync(server.Developer1()));

        server.PeerSync.Observed[server.Peer(TestNetwork.Developer2Id).PublicKey] = Developer2Moved;
        var after = Parse(await StateAsync(server.Developer1()));

        Assert.Null(((IPeerSync)server.PeerSync).EndpointGeneration);
        Assert.Equal(Endpoint.FromIPEndPoint(ApiServer.Developer2Observed), before.Peers.Single(p => p.Name == "developer2").Endpoint);
        Assert.Equal(Endpoint.FromIPEndPoint(Developer2Moved), after.Peers.Single(p => p.Name == "developer2").Endpoint);
    }
}
