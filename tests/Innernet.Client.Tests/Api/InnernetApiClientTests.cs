using Innernet.Core.Api;
using Innernet.Core.Keys;
using Innernet.Core.Model;

namespace Innernet.Client.Tests.Api;

public sealed class InnernetApiClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AdminCalls_CreateListRenameAssociateDisable_ReachTheStore()
    {
        await using var server = await InProcessServer.StartAsync();
        var humans = server.AddCidr("humans", "127.42.1.0/24");
        var (admin, _) = server.AddPeer("admin", "127.42.1.1", humans.Id, admin: true);
        using var api = server.ApiFor(admin.Ip);

        var robots = await api.AddCidrAsync(new CidrContents("robots", IPNetwork.Parse("127.42.2.0/24"), Cidr.RootId), Ct);
        Assert.Equal("robots", server.Store.GetCidr(robots.Id)?.Name);

        var added = await api.AddPeerAsync(new PeerContents
        {
            Name = "bot1",
            Ip = IPAddress.Parse("127.42.2.10"),
            CidrId = robots.Id,
            PublicKey = KeyPair.Generate().Public,
            PersistentKeepaliveInterval = 25,
            InviteExpires = DateTimeOffset.UtcNow.AddDays(1),
        }, Ct);
        Assert.Equal("bot1", server.Store.GetPeer(added.Id)?.Name);
        Assert.False(server.Store.GetPeer(added.Id)!.IsRedeemed);

        await api.AddAssociationAsync(new AssociationContents(humans.Id, robots.Id), Ct);
        var associations = await api.ListAssociationsAsync(Ct);
        Assert.Single(associations, a => a.Links(humans.Id, robots.Id));

        await api.UpdateCidrAsync(robots.Id, robots.Contents with { Name = "droids" }, Ct);
        Assert.Equal("droids", server.Store.GetCidr(robots.Id)?.Name);

        await api.UpdatePeerAsync(added.Id, added.Contents with { Name = "bot-one" }, Ct);
        Assert.Equal("bot-one", server.Store.GetPeer(added.Id)?.Name);

        await api.DeletePeerAsync(added.Id, Ct);
        Assert.True(server.Store.GetPeer(added.Id)!.IsDisabled);

        await api.DeleteAssociationAsync(associations[0].Id, Ct);
        Assert.Empty(server.Store.ListAssociations());

        var peers = await api.ListPeersAsync(Ct);
        Assert.Equal(server.Store.ListPeers().Select(p => p.Id).Order(), peers.Select(p => p.Id).Order());
    }

    [Fact]
    public async Task GetState_AsUser_ReturnsVisiblePeersAndAllCidrs()
    {
        await using var server = await InProcessServer.StartAsync();
        var humans = server.AddCidr("humans", "127.42.1.0/24");
        var (alice, _) = server.AddPeer("alice", "127.42.1.2", humans.Id);
        server.AddPeer("bob", "127.42.1.3", humans.Id);
        using var api = server.ApiFor(alice.Ip);

        var state = await api.GetStateAsync(Ct);

        Assert.Equal(["alice", "bob", "innernet-server"], state.Peers.Select(p => p.Name).Order());
        Assert.Equal(server.Store.ListCidrs().Count, state.Cidrs.Count);
    }

    [Fact]
    public async Task UserCall_FromNonAdmin_OnAdminPath_IsStatusError401()
    {
        await using var server = await InProcessServer.StartAsync();
        var humans = server.AddCidr("humans", "127.42.1.0/24");
        var (alice, _) = server.AddPeer("alice", "127.42.1.2", humans.Id);
        using var api = server.ApiFor(alice.Ip);

        var e = await Assert.ThrowsAsync<ApiStatusException>(() => api.ListPeersAsync(Ct));

        Assert.Equal(HttpStatusCode.Unauthorized, e.StatusCode);
        Assert.Contains("/v1/admin/peers", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongServerKey_IsStatusError401()
    {
        await using var server = await InProcessServer.StartAsync();
        var humans = server.AddCidr("humans", "127.42.1.0/24");
        var (alice, _) = server.AddPeer("alice", "127.42.1.2", humans.Id);
        using var api = new InnernetApiClient(server.InternalEndpoint, KeyPair.Generate().Public,
            new InnernetApiClientOptions { LocalAddress = alice.Ip });

        var e = await Assert.ThrowsAsync<ApiStatusException>(() => api.GetStateAsync(Ct));

        Assert.Equal(HttpStatusCode.Unauthorized, e.StatusCode);
    }

    [Fact]
    public async Task ClosedPort_IsTransportError()
    {
        // A port nobody listens on: bind a socket, note the port, close it.
        using var probe = new System.Net.Sockets.TcpListener(IPAddress.Parse("127.42.0.1"), 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        using var api = new InnernetApiClient(new IPEndPoint(IPAddress.Parse("127.42.0.1"), port), KeyPair.Generate().Public);

        var e = await Assert.ThrowsAsync<ApiTransportException>(() => api.GetStateAsync(Ct));

        Assert.Contains($"127.42.0.1:{port}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SilentServer_TimesOut_AsTransportError()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Parse("127.42.0.1"), 0);
        listener.Start();
        var endpoint = (IPEndPoint)listener.LocalEndpoint;
        using var api = new InnernetApiClient(endpoint, KeyPair.Generate().Public,
            new InnernetApiClientOptions { Timeout = TimeSpan.FromMilliseconds(300) });

        var e = await Assert.ThrowsAsync<ApiTransportException>(() => api.GetStateAsync(Ct));

        Assert.Contains("no complete answer within", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Requests_CarryServerKeyHeaderAndContentLength()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Parse("127.42.0.1"), 0);
        listener.Start();
        var key = KeyPair.Generate().Public;
        using var api = new InnernetApiClient((IPEndPoint)listener.LocalEndpoint, key);

        var call = api.SetCandidatesAsync([Endpoint.Parse("192.0.2.1:51820")], Ct);
        using var connection = await listener.AcceptTcpClientAsync(Ct);
        var stream = connection.GetStream();
        var buffer = new byte[4096];
        var text = new System.Text.StringBuilder();
        while (!text.ToString().Contains("[\"192.0.2.1:51820\"]", StringComparison.Ordinal))
        {
            int n = await stream.ReadAsync(buffer, Ct);
            Assert.NotEqual(0, n);
            text.Append(System.Text.Encoding.ASCII.GetString(buffer, 0, n));
        }

        await stream.WriteAsync("HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n"u8.ToArray(), Ct);
        await call;

        string request = text.ToString();
        Assert.StartsWith("PUT /v1/user/candidates HTTP/1.1\r\n", request, StringComparison.Ordinal);
        Assert.Contains($"X-Innernet-Server-Key: {key.ToBase64()}\r\n", request, StringComparison.Ordinal);
        Assert.Contains($"Content-Length: {"[\"192.0.2.1:51820\"]".Length}\r\n", request, StringComparison.Ordinal);
        Assert.Contains("Content-Type: application/json", request, StringComparison.Ordinal);
    }
}
