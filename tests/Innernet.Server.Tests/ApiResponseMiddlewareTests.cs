using System.Text;
using Innernet.Core.Contracts;
using Innernet.Netlink.WireGuard;
using Innernet.Server.Api;

namespace Innernet.Server.Tests;

/// <summary>Transport rules: bodies need Content-Length and ≤ 16 KiB, Content-Type is ignored, errors have empty bodies, requests are
/// logged without keys.</summary>
public sealed class ApiResponseMiddlewareTests
{
    [Theory]
    [InlineData("POST", "/v1/admin/peers")]
    [InlineData("PUT", "/v1/user/endpoint")]
    [InlineData("PUT", "/v1/user/candidates")]
    [InlineData("POST", "/v1/admin/associations")]
    public async Task BodyWithoutContentLength_Chunked_Is400(string method, string path)
    {
        await using var server = await ApiServer.StartAsync();
        string json = path switch
        {
            "/v1/admin/peers" => InnernetJson.Serialize(ApiServer.NewPeer("developer3", server.Network.FreeDeveloperIp,
                TestNetwork.DeveloperCidrId)),
            "/v1/user/endpoint" => """{"option":"Unset"}""",
            "/v1/user/candidates" => "[]",
            _ => """{"cidr_id_1":3,"cidr_id_2":4}""",
        };
        byte[] body = Encoding.UTF8.GetBytes(json);
        string chunked = $"{body.Length:x}\r\n{json}\r\n0\r\n\r\n";

        var response = await RawHttp.SendAsync(server, server.Network.Admin, method, path, "Transfer-Encoding: chunked\r\n",
            Encoding.UTF8.GetBytes(chunked));

        Assert.Equal(400, response.Status);
        Assert.Empty(response.Body);
        Assert.Equal(6, server.Store.ListPeers().Count);
        Assert.Empty(server.Store.ListAssociations());
    }

    [Fact]
    public async Task BodyOver16KiB_Is400_EvenWhenValidJson()
    {
        await using var server = await ApiServer.StartAsync();
        string json = "[" + new string(' ', RequestBody.MaxBytes) + "]";

        var response = await server.Developer1().Send(HttpMethod.Put, "/v1/user/candidates", Http.JsonText(json));

        await response.AssertStatusAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task BodyOfExactly16KiB_IsAccepted()
    {
        await using var server = await ApiServer.StartAsync();
        string core = """["192.0.2.1:51820"]""";
        string json = core + new string(' ', RequestBody.MaxBytes - core.Length);

        var response = await server.Developer1().Send(HttpMethod.Put, "/v1/user/candidates", Http.JsonText(json));

        await response.AssertStatusAsync(HttpStatusCode.NoContent);
        Assert.Equal([Endpoint.Parse("192.0.2.1:51820")], server.Peer(TestNetwork.Developer1Id).Candidates);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData(null)]
    public async Task ContentType_IsNotChecked(string? contentType)
    {
        await using var server = await ApiServer.StartAsync();
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes("""["192.0.2.1:51820"]"""));
        if (contentType is not null)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        var response = await server.Developer1().Send(HttpMethod.Put, "/v1/user/candidates", content);

        await response.AssertStatusAsync(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task BodyShorterThanItsContentLength_ThenHalfClose_IsNoServerError()
    {
        await using var server = await ApiServer.StartAsync();
        var before = server.Peer(TestNetwork.Developer1Id);

        var response = await RawHttp.SendAsync(server, server.Network.Developer1, "PUT", "/v1/user/candidates", "Content-Length: 100\r\n",
            Encoding.UTF8.GetBytes("[]"), closeAfterSend: true);

        // Kestrel may answer 400 or just drop a connection whose body ended early; never a 500.
        Assert.Contains(response.Status, new[] { 0, 400 });
        Assert.Empty(response.Body);
        Assert.Equal(before, server.Peer(TestNetwork.Developer1Id));
        Assert.DoesNotContain(server.Logs.Lines, l => l.StartsWith("Error", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UnexpectedFailure_Is500_WithAnEmptyBody_AndIsLogged()
    {
        var failing = new FailingPeerSync();
        await using var server = await ApiServer.StartAsync(peerSync: failing);

        var response = await server.Admin().PostJson("/v1/admin/peers",
            ApiServer.NewPeer("developer3", server.Network.FreeDeveloperIp, TestNetwork.DeveloperCidrId));

        await response.AssertStatusAsync(HttpStatusCode.InternalServerError);
        Assert.Contains(server.Logs.Lines, l => l.StartsWith("Error", StringComparison.Ordinal)
            && l.Contains("wireguard is down", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SuccessJson_IsExactlyApplicationJson()
    {
        await using var server = await ApiServer.StartAsync();

        var response = await server.Admin().Get("/v1/admin/cidrs");

        Assert.Equal("application/json", response.Content.Headers.ContentType?.ToString());
        Assert.False(response.Headers.Contains("Server"));
    }

    [Fact]
    public async Task EveryRequest_IsLoggedWithMethodPathStatusAndCaller()
    {
        await using var server = await ApiServer.StartAsync();

        await server.Developer1().Get("/v1/user/state");
        await server.Developer1().Get("/v1/admin/peers");
        await server.ClientFrom(server.Network.UnknownIp).Get("/v1/user/state");

        // The request line is logged when the pipeline finishes, which may be just after the client has the
        // whole response: wait for it rather than racing it.
        await WaitForLogLineAsync(server, "GET /v1/user/state -> 200 (developer1)");
        await WaitForLogLineAsync(server, "GET /v1/admin/peers -> 401 (developer1)");
        await WaitForLogLineAsync(server, $"GET /v1/user/state -> 401 (unauthenticated {server.Network.UnknownIp})");
    }

    private static Task WaitForLogLineAsync(ApiServer server, string fragment)
        => Eventually.TrueAsync(
            () => server.Logs.Lines.Any(l => l.Contains(fragment, StringComparison.Ordinal)),
            () => $"waiting for a log line containing '{fragment}'. Log:\n{server.LogText}");

    [Fact]
    public async Task Logs_NeverContainAKey()
    {
        await using var server = await ApiServer.StartAsync();
        var invitee = server.AddInvitee();
        var newKey = TestKeys.RandomKey();
        await server.ClientFrom(server.Network.InviteeIp).PostJson("/v1/user/redeem", new RedeemContents(newKey));
        await server.ClientFrom(server.Network.InviteeIp).PostJson("/v1/user/redeem", new RedeemContents(newKey));
        await server.Admin().PostJson("/v1/admin/peers",
            ApiServer.NewPeer("developer3", server.Network.FreeDeveloperIp, TestNetwork.DeveloperCidrId));
        await server.Admin().PostJson("/v1/admin/peers",
            ApiServer.NewPeer("developer4", server.Network.FreeDeveloperIp, TestNetwork.DeveloperCidrId));
        await server.Admin().Get("/v1/admin/peers");
        await server.ClientFrom(server.Network.Admin, TestKeys.RandomKey().ToBase64()).Get("/v1/admin/peers");
        await server.Developer1().Send(HttpMethod.Post, "/v1/user/redeem", Http.JsonText($$"""{"public_key":"{{server.ServerKey}}"}"""));

        IEnumerable<WireGuardKey> keys = [server.ServerKey, newKey, invitee.PublicKey,
            .. server.Store.ListPeers().Select(p => p.PublicKey)];
        string log = server.LogText;
        Assert.Contains("redeemed", log, StringComparison.Ordinal);
        Assert.All(keys, k =>
        {
            Assert.DoesNotContain(k.ToBase64(), log, StringComparison.Ordinal);
            Assert.DoesNotContain(k.ToHex(), log, StringComparison.Ordinal);
        });
    }

    private sealed class FailingPeerSync : IPeerSync
    {
        public void PeerAdded(Peer peer) => throw new InvalidOperationException("wireguard is down");

        public void PeerEnabledChanged(Peer peer)
        {
        }

        public void PeerRedeemed(Peer before, Peer after)
        {
        }

        public void PeersRemoved(IReadOnlyList<Peer> peers)
        {
        }

        public IPEndPoint? GetObservedEndpoint(WireGuardKey publicKey) => null;
    }
}
