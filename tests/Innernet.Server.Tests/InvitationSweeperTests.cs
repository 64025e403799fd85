using Innernet.Server.Api;

namespace Innernet.Server.Tests;

/// <summary>
/// Expired invitations are hard-deleted every 10 s and leave WireGuard. The clock is moved by hand and each
/// test waits for the sweep the move started to have finished before it looks at the store.
/// </summary>
public sealed class InvitationSweeperTests
{
    [Fact]
    public async Task ExpiredInvitation_IsDeletedAtTheNextSweep_AndRemovedFromWireGuard_FreeingNameAndIp()
    {
        await using var server = await ApiServer.StartAsync();
        var expiring = server.AddInvitee(expiresIn: TimeSpan.FromSeconds(5));
        var lasting = server.Store.AddPeer(ApiServer.NewPeer("invitee2", server.Network.FreeDeveloperIp, TestNetwork.DeveloperCidrId) with
        {
            IsRedeemed = false,
            InviteExpires = server.Time.GetUtcNow() + TimeSpan.FromDays(1),
        });

        await SweepAfterAsync(server, InvitationSweeper.Interval);

        Assert.Equal(expiring.Id, Assert.Single(server.PeerSync.Removed).Id);
        Assert.Null(server.Store.GetPeer(expiring.Id));
        Assert.NotNull(server.Store.GetPeer(lasting.Id));
        Assert.Equal(7, server.Store.ListPeers().Count);
        await (await server.ClientFrom(server.Network.InviteeIp).Get("/v1/user/capabilities"))
            .AssertStatusAsync(HttpStatusCode.Unauthorized);
        await (await server.Admin().PostJson("/v1/admin/peers",
            ApiServer.NewPeer("invitee", server.Network.InviteeIp, TestNetwork.UserCidrId))).AssertStatusAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task RedeemedPeersAndUnexpiredInvitations_AreKept()
    {
        await using var server = await ApiServer.StartAsync();
        var invitee = server.AddInvitee(expiresIn: TimeSpan.FromMinutes(1));
        await (await server.ClientFrom(server.Network.InviteeIp).PostJson("/v1/user/redeem",
            new RedeemContents(TestKeys.RandomKey()))).AssertStatusAsync(HttpStatusCode.NoContent);
        var pending = server.Store.AddPeer(ApiServer.NewPeer("invitee2", server.Network.FreeDeveloperIp, TestNetwork.DeveloperCidrId) with
        {
            IsRedeemed = false,
            InviteExpires = server.Time.GetUtcNow() + TimeSpan.FromMinutes(10),
        });

        // The sweep runs 2 minutes on: past the redeemed peer's old invitation expiry, before the pending one's.
        await SweepAfterAsync(server, TimeSpan.FromMinutes(2));

        Assert.NotNull(server.Store.GetPeer(invitee.Id));
        Assert.NotNull(server.Store.GetPeer(pending.Id));
        Assert.Empty(server.PeerSync.Removed);
    }

    /// <summary>Moves the server clock by <paramref name="by"/> and returns once the sweep that started has finished.</summary>
    private static async Task SweepAfterAsync(ApiServer server, TimeSpan by)
    {
        long passes = server.Sweeper.Passes;
        Assert.Equal(0, passes);
        server.Time.Advance(by);
        await Eventually.TrueAsync(() => server.Sweeper.Passes > passes, "the sweep the clock move started");
    }
}
