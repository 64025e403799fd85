namespace Innernet.Server.Tests;

/// <summary>
/// The core API suite over IPv6 (innernet's <c>v6-test</c> variant, fd00:1337::/64) inside a private network
/// namespace: the server and every client socket are created in it, the peer addresses live on its loopback.
/// The state and redeem tests run over both families in <see cref="UserEndpointsTests"/>.
/// </summary>
[Trait(Layers.Name, Layers.Host)]
public sealed class Ipv6ApiTests : IDisposable
{
    private readonly NetnsLab _lab = new();

    public void Dispose() => _lab.Dispose();

    /// <summary>A server on <see cref="TestNetwork.V6"/> in a new namespace of <paramref name="lab"/> (root).</summary>
    internal static async Task<ApiServer> StartInNamespaceAsync(NetnsLab lab)
    {
        Prerequisites.RequireRoot();
        var network = TestNetwork.V6;
        string ns = lab.AddNamespace("api6");
        foreach (var address in network.ClientAddresses.Prepend(network.ServerIp))
        {
            lab.AddAddress(ns, "lo", $"{address}/128");
        }

        return await ApiServer.StartAsync(network, NetnsLab.NamespacePath(ns));
    }

    private Task<ApiServer> StartInNamespaceAsync() => StartInNamespaceAsync(_lab);

    [Fact]
    public async Task Auth_KeyAndSourceAddress_AreRequired()
    {
        await using var server = await StartInNamespaceAsync();

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
        Assert.Equal(System.Net.Sockets.AddressFamily.InterNetworkV6, server.EndPoint.AddressFamily);
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

        var response = await server.Admin().PostJson("/v1/admin/peers",
            ApiServer.NewPeer("developer3", server.Network.DeveloperCidr.BaseAddress, TestNetwork.DeveloperCidrId));

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
