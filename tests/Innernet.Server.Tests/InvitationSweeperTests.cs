using Innernet.Server.Api;

namespace Innernet.Server.Tests;

/// <summary>Expired invitations are hard-deleted every 10 s and leave WireGuard (spec §4.4, §9.6 #6).</summary>
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

        server.Time.Advance(InvitationSweeper.Interval);
        var removed = await WaitForAsync(() => server.PeerSync.Removed.ToArray(), r => r.Length > 0);

        Assert.Equal(expiring.Id, Assert.Single(removed).Id);
        Assert.Null(server.Store.GetPeer(expiring.Id));
        Assert.NotNull(server.Store.GetPeer(lasting.Id));
        Assert.Equal(7, server.Store.ListPeers().Count);
        await (await server.ClientFrom(server.Network.InviteeIp).Get("/v1/user/capabilities")).AssertStatusAsync(HttpStatusCode.Unauthorized);
        await (await server.Admin().PostJson("/v1/admin/peers", ApiServer.NewPeer("invitee", server.Network.InviteeIp, TestNetwork.UserCidrId))).AssertStatusAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task RedeemedPeersAndUnexpiredInvitations_AreKept()
    {
        await using var server = await ApiServer.StartAsync();
        var invitee = server.AddInvitee(expiresIn: TimeSpan.FromMinutes(1));
        await (await server.ClientFrom(server.Network.InviteeIp).PostJson("/v1/user/redeem", new RedeemContents(TestKeys.RandomKey()))).AssertStatusAsync(HttpStatusCode.NoContent);
        var pending = server.Store.AddPeer(ApiServer.NewPeer("invitee2", server.Network.FreeDeveloperIp, TestNetwork.DeveloperCidrId) with
        {
            IsRedeemed = false,
            InviteExpires = server.Time.GetUtcNow() + TimeSpan.FromMinutes(10),
        });

        server.Time.Advance(TimeSpan.FromMinutes(2));
        await Task.Delay(200, TestContext.Current.CancellationToken);

        Assert.NotNull(server.Store.GetPeer(invitee.Id));
        Assert.NotNull(server.Store.GetPeer(pending.Id));
        Assert.Empty(server.PeerSync.Removed);
    }

    private static async Task<T> WaitForAsync<T>(Func<T> read, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (true)
        {
            var value = read();
            if (done(value) || DateTime.UtcNow > deadline)
            {
                return value;
            }

            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }
}
