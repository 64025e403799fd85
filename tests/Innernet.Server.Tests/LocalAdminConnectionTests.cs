using System.Net.Sockets;

namespace Innernet.Server.Tests;

/// <summary>The local admin Unix socket: the server's own CLI acting as root admin through the running server.</summary>
public sealed class LocalAdminConnectionTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("inn-api-").FullName;

    private string SocketPath => Path.Combine(_directory, "admin.sock");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Socket_IsOwnerOnly_AndServesAdminWithoutKeyOrPeer()
    {
        await using var server = await ApiServer.StartAsync(adminSocketPath: SocketPath);

        var peers = await (await server.LocalAdminClient().Get("/v1/admin/peers")).ReadJsonAsync<List<Peer>>();

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(SocketPath));
        Assert.Equal(6, peers.Count);
        Assert.Contains(server.Logs.Lines, l => l.Contains("GET /v1/admin/peers -> 200 (local-admin)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Socket_CanCreateAndDisablePeers()
    {
        await using var server = await ApiServer.StartAsync(adminSocketPath: SocketPath);
        var client = server.LocalAdminClient();

        await (await client.PostJson("/v1/admin/peers",
            ApiServer.NewPeer("developer3", server.Network.FreeDeveloperIp,
            TestNetwork.DeveloperCidrId))).AssertStatusAsync(HttpStatusCode.Created);
        await (await client.Delete("/v1/admin/peers/7")).AssertStatusAsync(HttpStatusCode.NoContent);
        await (await client.Delete("/v1/admin/peers/1")).AssertStatusAsync(HttpStatusCode.BadRequest);

        Assert.Equal(["added developer3", "disabled developer3"], server.PeerSync.Calls);
    }

    [Theory]
    [InlineData("/v1/user/state")]
    [InlineData("/v1/user/capabilities")]
    public async Task Socket_UserEndpoints_Are401(string path)
    {
        await using var server = await ApiServer.StartAsync(adminSocketPath: SocketPath);

        await (await server.LocalAdminClient().Get(path)).AssertStatusAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Socket_IsRemovedOnStop_AndAStaleFileIsReplacedOnStart()
    {
        await using (var first = await ApiServer.StartAsync(adminSocketPath: SocketPath))
        {
            Assert.True(File.Exists(SocketPath));
        }

        Assert.False(File.Exists(SocketPath));

        // A socket file left behind by a crash (bound, nobody listening).
        using (var stale = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            stale.Bind(new UnixDomainSocketEndPoint(SocketPath));
        }

        await using var second = await ApiServer.StartAsync(adminSocketPath: SocketPath);
        await (await second.LocalAdminClient().Get("/v1/admin/cidrs")).AssertStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Socket_InUseByARunningServer_FailsTheSecondStart()
    {
        await using var first = await ApiServer.StartAsync(adminSocketPath: SocketPath);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => ApiServer.StartAsync(adminSocketPath: SocketPath));

        Assert.Contains("already listening", error.ToString(), StringComparison.Ordinal);
        await (await first.LocalAdminClient().Get("/v1/admin/cidrs")).AssertStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Reissue_GivesAnUnredeemedPeerANewTemporaryKey_AndSwapsItInWireGuard()
    {
        await using var server = await ApiServer.StartAsync(adminSocketPath: SocketPath);
        var invitee = server.AddInvitee();
        var newKey = TestKeys.RandomKey();
        var expires = DateTimeOffset.FromUnixTimeSeconds(2_000_000_000);

        var response = await server.LocalAdminClient().PostJson($"/v1/admin/peers/{invitee.Id}/reissue",
            invitee.Contents with { PublicKey = newKey, InviteExpires = expires });

        var reissued = await response.ReadJsonAsync<Peer>();
        Assert.Equal(invitee with { PublicKey = newKey, InviteExpires = expires, PersistentKeepaliveInterval = 25 }, reissued);
        Assert.Equal(newKey, server.Peer(invitee.Id).PublicKey);
        Assert.Equal(["removed invitee", "added invitee"], server.PeerSync.Calls);
        Assert.Equal(invitee.PublicKey, Assert.Single(server.PeerSync.Removed).PublicKey);
    }

    [Fact]
    public async Task Reissue_OfARedeemedPeer_Is400()
    {
        await using var server = await ApiServer.StartAsync(adminSocketPath: SocketPath);
        var peer = server.Peer(TestNetwork.User1Id);

        var response = await server.LocalAdminClient().PostJson("/v1/admin/peers/5/reissue",
            peer.Contents with { PublicKey = TestKeys.RandomKey(), InviteExpires = DateTimeOffset.UtcNow.AddDays(1) });

        await response.AssertStatusAsync(HttpStatusCode.BadRequest);
        Assert.Equal(peer, server.Peer(TestNetwork.User1Id));
    }

    [Fact]
    public async Task ServerEndpoint_IsSet_204_UnsetIs400()
    {
        await using var server = await ApiServer.StartAsync(adminSocketPath: SocketPath);
        var client = server.LocalAdminClient();
        var endpoint = Endpoint.Parse("vpn.example.org:51820");

        await (await client.PutJson("/v1/admin/server/endpoint",
            EndpointContents.Set(endpoint))).AssertStatusAsync(HttpStatusCode.NoContent);
        await (await client.PutJson("/v1/admin/server/endpoint", EndpointContents.Unset)).AssertStatusAsync(HttpStatusCode.BadRequest);

        Assert.Equal(endpoint, server.Peer(Peer.ServerId).Endpoint);
    }

    [Fact]
    public async Task ExtensionRoutes_OverTcp_Are404_EvenForAnAdminPeer()
    {
        await using var server = await ApiServer.StartAsync(adminSocketPath: SocketPath);
        var invitee = server.AddInvitee();
        var admin = server.Admin();

        await (await admin.PostJson($"/v1/admin/peers/{invitee.Id}/reissue",
            invitee.Contents with { PublicKey = TestKeys.RandomKey() })).AssertStatusAsync(HttpStatusCode.NotFound);
        await (await admin.PutJson("/v1/admin/server/endpoint",
            EndpointContents.Set(Endpoint.Parse("192.0.2.1:1")))).AssertStatusAsync(HttpStatusCode.NotFound);
        await (await server.Developer1().PutJson("/v1/admin/server/endpoint",
            EndpointContents.Set(Endpoint.Parse("192.0.2.1:1")))).AssertStatusAsync(HttpStatusCode.Unauthorized);

        Assert.Equal(invitee, server.Peer(invitee.Id));
        Assert.Equal(TestNetwork.ExternalEndpoint, server.Peer(Peer.ServerId).Endpoint);
    }
}
