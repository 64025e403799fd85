namespace Innernet.Server.Tests;

/// <summary>
/// <c>POST /v1/admin/peers/{id}/delete</c> (beyond innernet): the peer goes for good, its IP stays reserved unless
/// released, WireGuard follows; innernet's own <c>DELETE</c> keeps disabling only.
/// </summary>
public sealed class AdminPeerDeleteTests
{
    [Fact]
    public async Task Delete_RemovesThePeer_ReservesItsIp_AndReachesWireGuard()
    {
        await using var server = await ApiServer.StartAsync();
        var user = server.Peer(TestNetwork.User1Id);

        await (await server.Admin().Send(HttpMethod.Post, $"/v1/admin/peers/{user.Id}/delete")).AssertStatusAsync(HttpStatusCode.NoContent);

        Assert.Null(server.Store.GetPeer(user.Id));
        Assert.Equal([user], server.PeerSync.Removed);
        var reserved = Assert.Single(server.Store.ListReservedIps());
        Assert.Equal((user.Ip, user.Name, server.Time.GetUtcNow() + ReservedIp.DefaultPeriod),
            (reserved.Ip, reserved.Name, reserved.Until));
        var listed = await server.Admin().Get("/v1/admin/reserved-ips");
        await listed.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal([reserved], await listed.ReadJsonAsync<List<ReservedIp>>());
        await (await server.Developer1().Get("/v1/admin/reserved-ips")).AssertStatusAsync(HttpStatusCode.Unauthorized);
        await (await server.ClientFrom(server.Network.User1).Get("/v1/user/state")).AssertStatusAsync(HttpStatusCode.Unauthorized);
        var again = ApiServer.NewPeer(user.Name, user.Ip, user.CidrId);
        await (await server.Admin().PostJson("/v1/admin/peers", again)).AssertStatusAsync(HttpStatusCode.BadRequest);
        await (await server.Admin().PostJson("/v1/admin/peers",
            again with { Ip = server.Network.FreeDeveloperIp, CidrId = TestNetwork.DeveloperCidrId }))
            .AssertStatusAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Delete_ReleaseIp_FreesTheIpAtOnce()
    {
        await using var server = await ApiServer.StartAsync();
        var user = server.Peer(TestNetwork.User1Id);

        await (await server.Admin().Send(HttpMethod.Post, $"/v1/admin/peers/{user.Id}/delete?release_ip=true"))
            .AssertStatusAsync(HttpStatusCode.NoContent);

        Assert.Empty(server.Store.ListReservedIps());
        await (await server.Admin().PostJson("/v1/admin/peers", ApiServer.NewPeer("newcomer", user.Ip, user.CidrId)))
            .AssertStatusAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Delete_TheServer_Is400_AnUnknownId_Is404_ANonAdmin_Is401()
    {
        await using var server = await ApiServer.StartAsync();
        var peers = server.Store.ListPeers();

        await (await server.Admin().Send(HttpMethod.Post, "/v1/admin/peers/1/delete")).AssertStatusAsync(HttpStatusCode.BadRequest);
        await (await server.Admin().Send(HttpMethod.Post, "/v1/admin/peers/99/delete")).AssertStatusAsync(HttpStatusCode.NotFound);
        await (await server.Developer1().Send(HttpMethod.Post, "/v1/admin/peers/4/delete")).AssertStatusAsync(HttpStatusCode.Unauthorized);

        Assert.Equal(peers, server.Store.ListPeers());
        Assert.Empty(server.PeerSync.Removed);
    }

    [Fact]
    public async Task InnernetsDelete_StillOnlyDisables()
    {
        await using var server = await ApiServer.StartAsync();

        await (await server.Admin().Delete($"/v1/admin/peers/{TestNetwork.User1Id}")).AssertStatusAsync(HttpStatusCode.NoContent);

        Assert.True(server.Peer(TestNetwork.User1Id).IsDisabled);
        Assert.Empty(server.Store.ListReservedIps());
    }

    [Fact]
    public async Task Sweeper_FreesReservedIpsWhoseTimeHasCome()
    {
        await using var server = await ApiServer.StartAsync();
        var user = server.Peer(TestNetwork.User1Id);
        server.Store.DeletePeer(user.Id, server.Time.GetUtcNow() + TimeSpan.FromSeconds(5));
        Assert.Single(server.Store.ListReservedIps());

        server.Time.Advance(Innernet.Server.Api.InvitationSweeper.Interval);

        await Eventually.TrueAsync(() => server.Store.ListReservedIps().Count == 0,
            "the first sweep after the reservation ends frees the IP");
        await (await server.Admin().PostJson("/v1/admin/peers", ApiServer.NewPeer("newcomer", user.Ip, user.CidrId)))
            .AssertStatusAsync(HttpStatusCode.Created);
    }
}
