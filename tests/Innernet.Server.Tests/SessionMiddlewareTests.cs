using System.Net.Sockets;
using Innernet.Server.Api;

namespace Innernet.Server.Tests;

/// <summary>Authentication before routing: server key header, TCP source IP, exact path matching.</summary>
public sealed class SessionMiddlewareTests
{
    [Theory]
    [InlineData("IPv4")]
    [InlineData("IPv6", Traits = [Layers.Name, Layers.Host])]
    public async Task Auth_KeyAndSourceAddress_AreRequired(string family)
    {
        using var lab = FamilyServer.LabFor(family);
        await using var server = await FamilyServer.StartAsync(family, lab);

        await (await server.ClientFrom(server.Network.Admin,
            serverKeyHeader: null).Get("/v1/admin/peers")).AssertStatusAsync(HttpStatusCode.Unauthorized);
        await (await server.ClientFrom(server.Network.Admin,
            TestKeys.RandomKey().ToBase64()).Get("/v1/admin/peers")).AssertStatusAsync(HttpStatusCode.Unauthorized);
        await (await server.ClientFrom(server.Network.UnknownIp).Get("/v1/user/state")).AssertStatusAsync(HttpStatusCode.Unauthorized);
        var spoofing = server.ClientFrom(server.Network.UnknownIp);
        spoofing.DefaultRequestHeaders.Add("X-Forwarded-For", server.Network.Admin.ToString());
        await (await spoofing.Get("/v1/admin/peers")).AssertStatusAsync(HttpStatusCode.Unauthorized);
        await (await server.Developer1().Get("/v1/admin/peers")).AssertStatusAsync(HttpStatusCode.Unauthorized);
        await (await server.Admin().Get("/v1/admin/peers")).AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal(family == "IPv6" ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork, server.EndPoint.AddressFamily);
    }

    [Theory]
    [InlineData("Forwarded", "for=127.80.1.1")]
    [InlineData("X-Forwarded-For", "127.80.1.1")]
    [InlineData("X-Real-IP", "127.80.1.1")]
    public async Task ForwardingHeader_NamingTheAdmin_FromUnknownSource_Is401(string header, string value)
    {
        await using var server = await ApiServer.StartAsync();
        var client = server.ClientFrom(server.Network.UnknownIp);
        client.DefaultRequestHeaders.Add(header, value);

        await (await client.Get("/v1/admin/peers")).AssertStatusAsync(HttpStatusCode.Unauthorized);
        await (await client.Get("/v1/user/state")).AssertStatusAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task ForwardingHeaders_FromAPeer_DoNotChangeWhoItIs()
    {
        await using var server = await ApiServer.StartAsync();
        var client = server.Developer1();
        client.DefaultRequestHeaders.Add("X-Forwarded-For", server.Network.Admin.ToString());
        client.DefaultRequestHeaders.Add("X-Real-IP", server.Network.Admin.ToString());
        client.DefaultRequestHeaders.Add("Forwarded", $"for={server.Network.Admin}");

        await (await client.Get("/v1/admin/peers")).AssertStatusAsync(HttpStatusCode.Unauthorized);
        var state = await (await client.Get("/v1/user/state")).ReadJsonAsync<State>();
        Assert.Contains(state.Peers, p => p.Name == "developer1");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not base64 at all")]
    [InlineData("AAAA")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task ServerKeyHeader_MissingOrUnparseable_Is401(string? header)
    {
        await using var server = await ApiServer.StartAsync();
        var client = header is null ? server.ClientFrom(server.Network.Admin,
            serverKeyHeader: null) : server.ClientFrom(server.Network.Admin, "placeholder");
        if (header is not null)
        {
            client.DefaultRequestHeaders.Remove(SessionMiddleware.ServerKeyHeader);
            client.DefaultRequestHeaders.TryAddWithoutValidation(SessionMiddleware.ServerKeyHeader, header);
        }

        await (await client.Get("/v1/admin/peers")).AssertStatusAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task ServerKeyHeader_AnotherValidKey_Is401()
    {
        await using var server = await ApiServer.StartAsync();
        var client = server.ClientFrom(server.Network.Admin, TestKeys.RandomKey().ToBase64());

        await (await client.Get("/v1/admin/peers")).AssertStatusAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task ServerKeyHeader_OnePeersPublicKey_Is401()
    {
        await using var server = await ApiServer.StartAsync();
        var client = server.ClientFrom(server.Network.Admin, server.Peer(TestNetwork.AdminPeerId).PublicKey.ToBase64());

        await (await client.Get("/v1/admin/peers")).AssertStatusAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task ServerKeyHeader_SentTwice_Is401()
    {
        await using var server = await ApiServer.StartAsync();
        var client = server.Admin();
        client.DefaultRequestHeaders.TryAddWithoutValidation(SessionMiddleware.ServerKeyHeader, server.ServerKey.ToBase64());

        await (await client.Get("/v1/admin/peers")).AssertStatusAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task UnknownSourceIp_Is401()
    {
        await using var server = await ApiServer.StartAsync();
        var client = server.ClientFrom(server.Network.UnknownIp);

        await (await client.Get("/v1/user/state")).AssertStatusAsync(HttpStatusCode.Unauthorized);
        await (await client.Get("/v1/user/capabilities")).AssertStatusAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task DisabledPeer_Is401_EvenForCapabilities()
    {
        await using var server = await ApiServer.StartAsync();
        server.AddRetired();
        var client = server.ClientFrom(server.Network.RetiredIp);

        await (await client.Get("/v1/user/capabilities")).AssertStatusAsync(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("/v1/nothing")]
    [InlineData("/v1/user/nothing")]
    [InlineData("/v1")]
    [InlineData("/v1/")]
    public async Task UnknownPathUnderV1_IsAuthenticatedFirst_401Then404(string path)
    {
        await using var server = await ApiServer.StartAsync();

        await (await server.ClientFrom(server.Network.Admin,
            serverKeyHeader: null).Get(path)).AssertStatusAsync(HttpStatusCode.Unauthorized);
        await (await server.ClientFrom(server.Network.UnknownIp).Get(path)).AssertStatusAsync(HttpStatusCode.Unauthorized);
        await (await server.Developer1().Get(path)).AssertStatusAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/v2/user/state")]
    [InlineData("/user/state")]
    [InlineData("/v1x/user/state")]
    public async Task PathOutsideV1_Is404_WithoutAuthentication(string path)
    {
        await using var server = await ApiServer.StartAsync();

        await (await server.ClientFrom(server.Network.UnknownIp,
            serverKeyHeader: null).Get(path)).AssertStatusAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("/v1/user/state/")]
    [InlineData("/v1/admin/peers/")]
    [InlineData("/v1/admin//peers")]
    [InlineData("/v1/admin/PEERS")]
    [InlineData("/v1/User/state")]
    public async Task NonExactPath_WithAdminAuth_Is404(string path)
    {
        await using var server = await ApiServer.StartAsync();

        await (await server.Admin().Get(path)).AssertStatusAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AdminPathWithTrailingSlash_ForNonAdmin_Is401_AdminCheckComesFirst()
    {
        await using var server = await ApiServer.StartAsync();

        await (await server.Developer1().Get("/v1/admin/peers/")).AssertStatusAsync(HttpStatusCode.Unauthorized);
        await (await server.Developer1().Get("/v1/admin/nothing")).AssertStatusAsync(HttpStatusCode.Unauthorized);
        await (await server.Admin().Get("/v1/admin/nothing")).AssertStatusAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("1.5")]
    [InlineData("99999999999999999999")]
    public async Task NonNumericId_Is404(string id)
    {
        await using var server = await ApiServer.StartAsync();

        await (await server.Admin().Delete($"/v1/admin/peers/{id}")).AssertStatusAsync(HttpStatusCode.NotFound);
        await (await server.Admin().Delete($"/v1/admin/cidrs/{id}")).AssertStatusAsync(HttpStatusCode.NotFound);
        Assert.All(server.Store.ListPeers(), p => Assert.False(p.IsDisabled));
    }

    [Fact]
    public async Task PercentEncodedPath_IsNotDecoded_404()
    {
        await using var server = await ApiServer.StartAsync();

        var response = await RawHttp.SendAsync(server, server.Network.Developer1, "GET", "/v1/user/st%61te");

        Assert.Equal(404, response.Status);
        Assert.Empty(response.Body);
    }

    [Theory]
    [InlineData("PATCH", "/v1/admin/peers")]
    [InlineData("DELETE", "/v1/user/state")]
    [InlineData("HEAD", "/v1/user/state")]
    [InlineData("POST", "/v1/admin/peers/3")]
    [InlineData("PUT", "/v1/admin/associations/1")]
    public async Task WrongMethod_Is404_Not405(string method, string path)
    {
        await using var server = await ApiServer.StartAsync();

        var response = await server.Admin().Send(new HttpMethod(method), path);

        await response.AssertStatusAsync(HttpStatusCode.NotFound);
        Assert.False(response.Content.Headers.Contains("Allow"));
    }

    [Fact]
    public async Task QueryString_IsIgnored()
    {
        await using var server = await ApiServer.StartAsync();

        var response = await server.Developer1().Get("/v1/user/state?peers=all");

        Assert.True(HttpStatusCode.OK == response.StatusCode, server.LogText);
    }

    [Fact]
    public async Task Ipv4MappedSourceAddress_OnADualStackListener_IsTheIpv4Peer()
    {
        var mappedServerIp = TestNetwork.V4.ServerIp.MapToIPv6();
        await using var server = await ApiServer.StartAsync(
            listenEndPoint: new IPEndPoint(mappedServerIp, 0),
            createListenSocket: _ => new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = true });

        var state = await (await server.ClientFrom(server.Network.Developer1.MapToIPv6()).Get("/v1/user/state")).ReadJsonAsync<State>();

        Assert.Contains(state.Peers, p => p.Name == "developer1");
        Assert.Contains("(developer1)", server.LogText, StringComparison.Ordinal);
    }
}
