using Innernet.Netlink.WireGuard;
using Innernet.Server.Cli;

namespace Innernet.Server.Tests.Serve;

/// <summary>
/// The CLI without a running server touches a live interface by the same reconciliation as <c>serve</c>: the
/// server's own key never lands on it, and what drifted is set right along with the change.
/// </summary>
public sealed class DirectNetworkAdminTests
{
    private static DirectNetworkAdmin NewAdmin(ReconcileLab lab)
        => new(lab.Store, ReconcileLab.Device, ReconcileLab.ServerKey, () => lab.WireGuard, lab.Time, TextWriter.Null);

    [Fact]
    public async Task EnablingTheServerPeer_NeverPutsTheServersKeyOnWireGuard()
    {
        using var lab = new ReconcileLab();
        var admin = NewAdmin(lab);
        var server = lab.Store.GetPeer(Peer.ServerId)!;

        await admin.SetDisabledAsync(server, disabled: true, TestContext.Current.CancellationToken);
        await admin.SetDisabledAsync(server with { IsDisabled = true }, disabled: false, TestContext.Current.CancellationToken);

        Assert.DoesNotContain(ReconcileLab.ServerKey, lab.DeviceKeys());
        Assert.True(lab.EnabledKeys().SetEquals(lab.DeviceKeys()));
    }

    [Fact]
    public async Task AChange_AlsoHealsDrift_AndLeavesMatchingPeersAlone()
    {
        using var lab = new ReconcileLab();
        var admin = NewAdmin(lab);
        var members = lab.Store.ListPeers().Where(p => p.Id != Peer.ServerId).ToList();
        var stranger = TestKeys.NewKeyPair().PublicKey;
        lab.WireGuard.ChangeBehindTheBack(ReconcileLab.Device, new DeviceConfig
        {
            Peers =
            {
                new PeerConfig
                {
                    PublicKey = members[0].PublicKey, PersistentKeepaliveInterval = 25,
                        AllowedIPs = { IPNetwork.Parse($"{members[0].Ip}/32") },
                },
                new PeerConfig { PublicKey = stranger, AllowedIPs = { IPNetwork.Parse("10.66.9.9/32") } },
            },
        });

        var added = await admin.AddPeerAsync(
            new PeerContents
            {
                Name = "new", Ip = IPAddress.Parse("10.66.1.99"), CidrId = lab.CidrId, PublicKey = TestKeys.NewKeyPair().PublicKey,
            },
            TestContext.Current.CancellationToken);

        Assert.True(lab.EnabledKeys().SetEquals(lab.DeviceKeys()));
        Assert.Contains(added.PublicKey, lab.DeviceKeys());
        var (_, update) = Assert.Single(lab.WireGuard.Updates);
        Assert.DoesNotContain(update.Peers, p => p.PublicKey == members[0].PublicKey);
        Assert.False(update.ReplacePeers);
    }
}
