namespace Innernet.Server.Tests;

/// <summary>
/// The core API suite over IPv6 (innernet's <c>v6-test</c> variant, fd00:1337::/64) inside a private network
/// namespace: the server and every client socket are created in it, the peer addresses live on its loopback.
/// </summary>
[Trait(Layers.Name, Layers.Host)]
public sealed class Ipv6ApiTests : IDisposable
{
    private readonly NetnsLab _lab = new();

    public void Dispose() => _lab.Dispose();

    private async Task<ApiServer> StartInNamespaceAsync()
    {
        Prerequisites.RequireRoot();
        var network = TestNetwork.V6;
        string ns = _lab.AddNamespace("api6");
        foreach (var address in network.ClientAddresses.Prepend(network.ServerIp))
        {
            _lab.AddAddress(ns, "lo", $"{address}/128");
        }

        return await ApiServer.StartAsync(network, NetnsLab.NamespacePath(ns));
    }

    [Fact]
    public async Task Auth_KeyAndSourceAddress_AreRequired()
    {
        await using var server = await StartInNamespaceAsync();

        await (await server.ClientFrom(server.Network.Admin, serverKeyHeader: null).Get("/v1/admin/peers")).AssertStatusAsync(HttpStatusCode.Unauthorized);
        await (await server.ClientFrom(server.Network.Admin, TestKeys.RandomKey().ToBase64()).Get("/v1/admin/peers")).AssertStatusAsync(HttpStatusCode.Unauthorized);
        await (await server.ClientFrom(server.Network.UnknownIp).Get("/v1/user/state")).AssertStatusAsync(HttpStatusCode.Unauthorized);
        var spoofing = server.ClientFrom(server.Network.UnknownIp);
        spoofing.DefaultRequestHeaders.Add("X-Forwarded-For", server.Network.Admin.ToString());
        await (await spoofing.Get("/v1/admin/peers")).AssertStatusAsync(HttpStatusCode.Unauthorized);
        await (await server.Developer1().Get("/v1/admin/peers")).AssertStatusAsync(HttpStatusCode.Unauthorized);
        await (await server.Admin().Get("/v1/admin/peers")).AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal(System.Net.Sockets.AddressFamily.InterNetworkV6, server.EndPoint.AddressFamily);
    }

    [Fact]
    public async Task State_Developer1_SeesExactlyDeveloper1Developer2AndTheServer()
    {
        await using var server = await StartInNamespaceAsync();

        var state = await (await server.Developer1().Get("/v1/user/state")).ReadJsonAsync<State>();

        Assert.Equal(["developer1", "developer2", "innernet-server"], state.Peers.Select(p => p.Name).Order());
        Assert.Equal(server.Network.Developer2, state.Peers.Single(p => p.Name == "developer2").Ip);
        Assert.Equal(5, state.Cidrs.Count);
    }

    [Fact]
    public async Task Redeem_StateIs401Before_Redeem204_SecondRedeem4xx_State200After()
    {
        await using var server = await StartInNamespaceAsync();
        var invitee = server.AddInvitee();
        var client = server.ClientFrom(server.Network.InviteeIp);
        var newKey = TestKeys.RandomKey();

        await (await client.Get("/v1/user/state")).AssertStatusAsync(HttpStatusCode.Unauthorized);
        await (await client.PostJson("/v1/user/redeem", new RedeemContents(newKey))).AssertStatusAsync(HttpStatusCode.NoContent);
        var second = await client.PostJson("/v1/user/redeem", new RedeemContents(TestKeys.RandomKey()));
        await (await client.Get("/v1/user/state")).AssertStatusAsync(HttpStatusCode.OK);

        Assert.InRange((int)second.StatusCode, 400, 499);
        Assert.Equal(newKey, server.Peer(invitee.Id).PublicKey);
    }

    [Fact]
    public async Task AdminCreate_Is201_AndTheNewPeerCanCallAtOnce()
    {
        await using var server = await StartInNamespaceAsync();
        var contents = ApiServer.NewPeer("developer3", server.Network.FreeDeveloperIp, TestNetwork.DeveloperCidrId);

        var response = await server.Admin().PostJson("/v1/admin/peers", contents);

        await response.AssertStatusAsync(HttpStatusCode.Created);
        Assert.Equal(contents.WithId(7), await response.ReadJsonAsync<Peer>());
        var state = await (await server.ClientFrom(server.Network.FreeDeveloperIp).Get("/v1/user/state")).ReadJsonAsync<State>();
        Assert.Contains(state.Peers, p => p.Name == "developer1");
    }

    [Fact]
    public async Task AdminCreate_NetworkAddressOfTheCidr_Is400()
    {
        await using var server = await StartInNamespaceAsync();

        var response = await server.Admin().PostJson("/v1/admin/peers", ApiServer.NewPeer("developer3", server.Network.DeveloperCidr.BaseAddress, TestNetwork.DeveloperCidrId));

        await response.AssertStatusAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public void Namespace_IsPrivate_TheRootNamespaceHasNoTestAddress()
    {
        Prerequisites.RequireRoot();
        var root = ProcessRunner.Run("ip", ["-6", "address", "show", "dev", "lo"]);

        Assert.DoesNotContain("fd00:1337", root.StandardOutput, StringComparison.Ordinal);
    }
}
