using Innernet.Netlink.WireGuard;

namespace Innernet.Server.Tests.Serve;

/// <summary>
/// When the reconciler reads the device: once to start and whenever asked (the periodic pass), not after every
/// commit; a commit in between is applied as the difference from what was applied last, and a failed update makes
/// the next pass read the device again.
/// </summary>
public sealed class PeerReconcilerTests
{
    private const string Device = ReconcileLab.Device;

    [Fact]
    public void Commits_AreAppliedWithoutReadingTheDeviceBack()
    {
        using var lab = new ReconcileLab();
        var reconciler = lab.NewReconciler();
        reconciler.Reconcile(readDevice: true);
        int reads = lab.WireGuard.Reads;

        for (int i = 0; i < 20; i++)
        {
            var peer = lab.AddPeer($"peer{i}", redeemed: true);
            if (i % 3 == 0)
            {
                lab.Store.SetDisabled(peer.Id, true);
            }

            if (i % 5 == 4)
            {
                lab.Store.DeletePeer(lab.Store.ListPeers().First(p => p.Name == $"peer{i - 1}").Id, reserveIpUntil: null);
            }

            var result = reconciler.Reconcile();

            Assert.Null(result.Device);
            Assert.Equal(lab.EnabledKeys(), lab.DeviceKeys());
        }

        Assert.Equal(reads, lab.WireGuard.Reads);
    }

    [Fact]
    public void DriftBetweenPasses_IsHealedByTheNextReadingPass()
    {
        using var lab = new ReconcileLab();
        var reconciler = lab.NewReconciler();
        reconciler.Reconcile(readDevice: true);
        var victim = lab.Store.ListPeers().First(p => p.Name == "member0");
        var stranger = TestKeys.NewKeyPair().PublicKey;
        lab.WireGuard.ChangeBehindTheBack(Device, new DeviceConfig
        {
            Peers =
            {
                new PeerConfig { PublicKey = victim.PublicKey, Remove = true },
                new PeerConfig { PublicKey = stranger, AllowedIPs = { IPNetwork.Parse("10.66.9.9/32") } },
            },
        });
        lab.AddPeer("newcomer", redeemed: true);

        reconciler.Reconcile();
        Assert.DoesNotContain(victim.PublicKey, lab.DeviceKeys());

        int reads = lab.WireGuard.Reads;
        var healed = reconciler.Reconcile(readDevice: true);

        Assert.Equal(reads + 1, lab.WireGuard.Reads);
        Assert.Equal((1, 1), (healed.Diff!.Added, healed.Diff.Removed.Count));
        Assert.Equal(lab.EnabledKeys(), lab.DeviceKeys());
    }

    [Fact]
    public void AFailedUpdate_MakesTheNextPassReadTheDevice()
    {
        using var lab = new ReconcileLab();
        var reconciler = lab.NewReconciler();
        reconciler.Reconcile(readDevice: true);
        lab.AddPeer("first", redeemed: true);
        lab.WireGuard.FailNextUpdates(1);
        Assert.Throws<IOException>(() => reconciler.Reconcile());
        int reads = lab.WireGuard.Reads;

        lab.AddPeer("second", redeemed: true);
        var result = reconciler.Reconcile();

        Assert.Equal(reads + 1, lab.WireGuard.Reads);
        Assert.NotNull(result.Device);
        Assert.Equal(lab.EnabledKeys(), lab.DeviceKeys());
    }

    [Fact]
    public void ABigDifference_IsAppliedInBoundedUpdates_RemovalsFirst()
    {
        using var lab = new ReconcileLab(members: 7);
        var stranger = TestKeys.NewKeyPair().PublicKey;
        lab.WireGuard.ChangeBehindTheBack(Device, new DeviceConfig
        {
            Peers = { new PeerConfig { PublicKey = stranger, AllowedIPs = { IPNetwork.Parse("10.66.1.10/32") } } },
        });
        var reconciler = new Innernet.Server.Serve.PeerReconciler(
            lab.WireGuard, Device, ReconcileLab.ServerKey, lab.Store.ListPeers, lab.Time,
            Innernet.Server.Serve.WireGuardPeerSync.RedeemTransitionWait, peersPerUpdate: 3);

        reconciler.Reconcile(readDevice: true);

        Assert.Equal([3, 3, 2], lab.WireGuard.Updates.Select(u => u.Config.Peers.Count));
        Assert.True(lab.WireGuard.Updates[0].Config.Peers[0] is { Remove: true } first && first.PublicKey == stranger);
        Assert.All(lab.WireGuard.Updates, u => Assert.False(u.Config.ReplacePeers));
        Assert.Equal(lab.EnabledKeys(), lab.DeviceKeys());
    }
}
