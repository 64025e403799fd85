using Innernet.Core.Persistence;
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

    /// <summary>
    /// What makes a pass cost what changed: the store's peer lists keep the objects of unchanged rows, so the walk
    /// between two looks finds exactly the rows written in between.
    /// </summary>
    [Fact]
    public void Changes_BetweenTwoLooksAtTheStore_AreExactlyTheRowsWritten()
    {
        using var lab = new ReconcileLab(members: 50);
        var before = lab.Store.ListPeers();
        var disabled = lab.Store.SetDisabled(before.First(p => p.Name == "member7").Id, true);
        var deleted = lab.Store.DeletePeer(before.First(p => p.Name == "member9").Id, reserveIpUntil: null);
        var added = lab.AddPeer("newcomer", redeemed: true);

        var changes = PeerRowChanges.Between(before, lab.Store.ListPeers());

        Assert.Equal(
            [(disabled.Id, "member7", "member7"), (deleted.Id, "member9", null), (added.Id, null, "newcomer")],
            changes.Select(c => (c.Id, c.Before?.Name, c.After?.Name)));
        Assert.True(changes[0].After!.IsDisabled && !changes[0].Before!.IsDisabled);
    }

    /// <summary>
    /// Random workloads: batches of writes (add, invite, redeem, disable, enable, delete, endpoint), clock moves, drift
    /// behind the server's back and failed updates, with a pass after each batch. After every pass that did not fail,
    /// the device holds exactly the peers the store's rows say, by a rule written out here: every enabled peer but the
    /// server, with its /32, under its invitation key for the transition wait after a redeem the reconciler saw (while
    /// the peer stays enabled), else under its current key.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void RandomWritesAndPasses_LeaveTheDeviceAsTheStoreSays(int seed)
    {
        var random = new Random(seed);
        var wait = Innernet.Server.Serve.WireGuardPeerSync.RedeemTransitionWait;
        using var lab = new ReconcileLab(members: 4);
        var reconciler = lab.NewReconciler();
        reconciler.Reconcile(readDevice: true);
        var seenUnredeemed = new Dictionary<long, WireGuardKey>();
        var redeemedUnseen = new Dictionary<long, (WireGuardKey Temporary, WireGuardKey Permanent)>();
        var inTransition = new Dictionary<long, (WireGuardKey Temporary, WireGuardKey Permanent, DateTimeOffset Deadline)>();
        int adds = 0;

        Peer? Pick(Func<Peer, bool> where)
        {
            var candidates = lab.Store.ListPeers().Where(p => p.Id != Peer.ServerId && where(p)).ToList();
            return candidates.Count == 0 ? null : candidates[random.Next(candidates.Count)];
        }

        for (int step = 0; step < 60; step++)
        {
            bool drift = false;
            for (int write = random.Next(4); write > 0; write--)
            {
                switch (random.Next(9))
                {
                    case 0 when adds < 100:
                        lab.AddPeer($"m{adds++}", redeemed: true);
                        break;
                    case 1 when adds < 100:
                        lab.AddPeer($"i{adds++}", redeemed: false);
                        break;
                    case 2 when Pick(p => !p.IsRedeemed && !p.IsDisabled) is { } invitee:
                        var permanent = TestKeys.NewKeyPair().PublicKey;
                        lab.Store.Redeem(invitee.Id, permanent, lab.Time.GetUtcNow());
                        if (seenUnredeemed.TryGetValue(invitee.Id, out var temporary))
                        {
                            redeemedUnseen[invitee.Id] = (temporary, permanent);
                        }

                        break;
                    case 3 when Pick(p => !p.IsDisabled) is { } enabled:
                        lab.Store.SetDisabled(enabled.Id, true);
                        break;
                    case 4 when Pick(p => p.IsDisabled) is { } disabled:
                        lab.Store.SetDisabled(disabled.Id, false);
                        break;
                    case 5 when Pick(_ => true) is { } doomed:
                        lab.Store.DeletePeer(doomed.Id, reserveIpUntil: null);
                        break;
                    case 6 when Pick(_ => true) is { } roaming:
                        lab.Store.SetEndpoint(roaming.Id, Endpoint.Parse($"198.18.5.{random.Next(1, 250)}:51820"));
                        break;
                    case 7 when lab.DeviceKeys().Count > 0:
                        var victim = lab.DeviceKeys().ElementAt(random.Next(lab.DeviceKeys().Count));
                        lab.WireGuard.ChangeBehindTheBack(
                            Device, new DeviceConfig { Peers = { new PeerConfig { PublicKey = victim, Remove = true } } });
                        drift = true;
                        break;
                    case 8:
                        lab.WireGuard.FailNextUpdates(1);
                        break;
                }
            }

            lab.Time.Advance(TimeSpan.FromMilliseconds(random.Next(0, 3000)));
            var now = lab.Time.GetUtcNow();
            var peers = lab.Store.ListPeers().ToDictionary(p => p.Id);

            // The model of this look: a redeem since the last look starts a transition if the peer is enabled and
            // still holds the redeemed key; one ends at its deadline or once a look sees the peer disabled or gone.
            foreach (var (id, keys) in redeemedUnseen)
            {
                if (peers.TryGetValue(id, out var peer) && !peer.IsDisabled && peer.PublicKey == keys.Permanent)
                {
                    inTransition[id] = (keys.Temporary, keys.Permanent, now + wait);
                }
            }

            redeemedUnseen.Clear();
            foreach (var (id, transition) in inTransition.ToList())
            {
                if (transition.Deadline <= now || !peers.TryGetValue(id, out var peer) || peer.IsDisabled)
                {
                    inTransition.Remove(id);
                }
            }

            seenUnredeemed = peers.Values.Where(p => !p.IsRedeemed).ToDictionary(p => p.Id, p => p.PublicKey);
            try
            {
                reconciler.Reconcile(readDevice: drift || random.Next(10) == 0);
            }
            catch (IOException)
            {
                continue;
            }

            var expected = peers.Values
                .Where(p => p.Id != Peer.ServerId && !p.IsDisabled)
                .Select(p => $"{(inTransition.TryGetValue(p.Id, out var t) ? t.Temporary : p.PublicKey)} {p.Ip}/32")
                .Order(StringComparer.Ordinal);
            var actual = lab.WireGuard.GetDevice(Device)!.Peers
                .Select(p => $"{p.PublicKey} {string.Join(",", p.AllowedIPs)}")
                .Order(StringComparer.Ordinal);
            Assert.True(expected.SequenceEqual(actual), $"seed {seed}, step {step}: the device is not what the store says");
        }
    }
}
