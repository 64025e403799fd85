using Innernet.Netlink.WireGuard;
using Innernet.Server.Serve;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Innernet.Server.Tests.Serve;

/// <summary>
/// The sync's loop on a hand-moved clock: start-up changes only the difference, a reported commit wakes a pass,
/// passes coalesce, the redeem deadline wakes one, and the periodic pass heals drift and failed updates.
/// </summary>
public sealed class WireGuardPeerSyncTests
{
    private const string Device = ReconcileLab.Device;

    private static WireGuardPeerSync NewSync(ReconcileLab lab, Func<IReadOnlyList<Peer>>? peers = null, ILogger? logger = null)
        => new(lab.WireGuard, Device, ReconcileLab.ServerKey, peers ?? lab.Store.ListPeers, logger ?? NullLogger.Instance, lab.Time);

    [Fact]
    public void Start_OnALiveInterfaceThatMatches_ChangesNothing()
    {
        using var lab = new ReconcileLab();
        using (var first = NewSync(lab))
        {
            first.Start(null);
        }

        foreach (var key in lab.DeviceKeys())
        {
            lab.WireGuard.SetHandshake(Device, key, ReconcileLab.Start);
        }

        lab.WireGuard.ClearUpdates();

        using var restarted = NewSync(lab);
        var result = restarted.Start(lab.WireGuard.GetDevice(Device));

        Assert.Empty(lab.WireGuard.Updates);
        Assert.True(result.Diff!.IsEmpty);
        Assert.Equal(3, result.DesiredCount);
        Assert.All(lab.WireGuard.Peers(Device), p => Assert.Equal(ReconcileLab.Start, p.LastHandshake));
    }

    [Fact]
    public void Start_OnALiveInterfaceThatDiffers_AppliesOnlyTheDifference()
    {
        using var lab = new ReconcileLab();
        using (var first = NewSync(lab))
        {
            first.Start(null);
        }

        var gone = lab.Store.ListPeers()[^1];
        lab.Store.SetDisabled(gone.Id, true);
        var added = lab.AddPeer("newcomer", redeemed: true);
        lab.WireGuard.ClearUpdates();

        using var restarted = NewSync(lab);
        restarted.Start(null);

        var (_, config) = Assert.Single(lab.WireGuard.Updates);
        Assert.False(config.ReplacePeers);
        Assert.Equal(
            [(gone.PublicKey, true), (added.PublicKey, false)],
            config.Peers.Select(p => (p.PublicKey, p.Remove)));
        Assert.True(lab.EnabledKeys().SetEquals(lab.DeviceKeys()));
    }

    [Fact]
    public async Task ReportedCommit_WakesAPass_WithoutTheClockMoving()
    {
        using var lab = new ReconcileLab();
        using var sync = NewSync(lab);
        sync.Start(null);

        var peer = lab.AddPeer("added", redeemed: false, TimeSpan.FromDays(1));
        sync.PeerAdded(peer);
        await Eventually.TrueAsync(() => lab.DeviceKeys().Contains(peer.PublicKey), "the added peer on the device");

        lab.Store.SetDisabled(peer.Id, true);
        sync.PeerEnabledChanged(peer with { IsDisabled = true });
        await Eventually.TrueAsync(() => !lab.DeviceKeys().Contains(peer.PublicKey), "the disabled peer off the device");
    }

    [Fact]
    public async Task ManyCommitsDuringAPass_MakeOneMorePass()
    {
        using var lab = new ReconcileLab();
        using var inPass = new SemaphoreSlim(0);
        using var release = new SemaphoreSlim(0);
        int looks = 0;
        bool holdNext = false;
        IReadOnlyList<Peer> Peers()
        {
            Interlocked.Increment(ref looks);
            if (Volatile.Read(ref holdNext))
            {
                Volatile.Write(ref holdNext, false);
                inPass.Release();
                release.Wait(TimeSpan.FromSeconds(10));
            }

            return lab.Store.ListPeers();
        }

        using var sync = NewSync(lab, Peers);
        sync.Start(null);
        Volatile.Write(ref holdNext, true);
        sync.Changed();
        Assert.True(await inPass.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken), "the first pass started");
        var added = Enumerable.Range(0, 20).Select(i => lab.AddPeer($"burst{i}", redeemed: true)).ToList();
        foreach (var peer in added)
        {
            sync.PeerAdded(peer);
        }

        int looksBeforeRelease = Volatile.Read(ref looks);
        release.Release();
        await Eventually.TrueAsync(() => sync.Passes >= 2, "the held pass and the one the burst asked for");
        await Eventually.TrueAsync(() => lab.EnabledKeys().SetEquals(lab.DeviceKeys()), "the burst on the device");

        Assert.Equal(2, looksBeforeRelease); // start-up + the held pass
        Assert.Equal(3, Volatile.Read(ref looks)); // twenty reports, one more look
    }

    [Fact]
    public async Task RedeemDeadline_WakesThePassThatSwapsTheKey()
    {
        using var lab = new ReconcileLab();
        var invite = lab.AddPeer("invitee", redeemed: false, TimeSpan.FromDays(1));
        using var sync = NewSync(lab);
        sync.Start(null);

        var permanent = TestKeys.NewKeyPair().PublicKey;
        var change = lab.Store.Redeem(invite.Id, permanent, lab.Time.GetUtcNow());
        long passes = sync.Passes;
        sync.PeerRedeemed(change.Before, change.After);
        await Eventually.TrueAsync(() => sync.Passes > passes, "the pass the redeem asked for");
        Assert.Contains(invite.PublicKey, lab.DeviceKeys());
        Assert.DoesNotContain(permanent, lab.DeviceKeys());

        // A pass 1 ms before the deadline (asked for here, so the check below follows a pass that ran then) keeps
        // the invitation key.
        lab.Time.Advance(WireGuardPeerSync.RedeemTransitionWait - TimeSpan.FromMilliseconds(1));
        passes = sync.Passes;
        sync.Changed();
        await Eventually.TrueAsync(() => sync.Passes > passes, "a pass just before the deadline");
        Assert.Contains(invite.PublicKey, lab.DeviceKeys());
        Assert.DoesNotContain(permanent, lab.DeviceKeys());
        lab.Time.Advance(TimeSpan.FromMilliseconds(1));
        await Eventually.TrueAsync(
            () => lab.DeviceKeys() is var keys && keys.Contains(permanent) && !keys.Contains(invite.PublicKey),
            "the key swap at the deadline");
    }

    [Fact]
    public async Task PeriodicPass_HealsDriftMadeBehindTheServersBack()
    {
        using var lab = new ReconcileLab();
        using var sync = NewSync(lab);
        sync.Start(null);
        var victim = lab.Store.ListPeers()[^1];
        var stranger = TestKeys.NewKeyPair().PublicKey;
        lab.WireGuard.ChangeBehindTheBack(Device, new DeviceConfig
        {
            Peers =
            {
                new PeerConfig { PublicKey = victim.PublicKey, Remove = true },
                new PeerConfig { PublicKey = stranger, AllowedIPs = { IPNetwork.Parse("10.66.9.9/32") } },
            },
        });

        lab.Time.Advance(WireGuardPeerSync.ReconcileInterval);

        await Eventually.TrueAsync(() => lab.EnabledKeys().SetEquals(lab.DeviceKeys()), "the device restored within one period");
    }

    [Fact]
    public async Task FailedUpdate_IsLoggedNotThrown_AndHealsAtTheNextPeriod()
    {
        using var lab = new ReconcileLab();
        var logs = new CollectingLoggerProvider();
        using var sync = NewSync(lab, logger: logs.CreateLogger("sync"));
        sync.Start(null);
        var peer = lab.AddPeer("late", redeemed: true);
        lab.WireGuard.FailNextUpdates(1);
        long passes = sync.Passes;

        sync.PeerAdded(peer);
        await Eventually.TrueAsync(() => sync.Passes > passes, "the failing pass");
        Assert.DoesNotContain(peer.PublicKey, lab.DeviceKeys());
        string logged = Assert.Single(logs.Lines, l => l.Contains("WireGuard update failed", StringComparison.Ordinal));
        Assert.StartsWith($"Error sync: {Device}: WireGuard update failed (reconcile peers)", logged, StringComparison.Ordinal);
        Assert.Contains("update refused (a failure the test asked for)", logged, StringComparison.Ordinal);

        lab.Time.Advance(WireGuardPeerSync.ReconcileInterval);
        await Eventually.TrueAsync(() => lab.DeviceKeys().Contains(peer.PublicKey), "the peer added by the periodic pass");
    }

    [Fact]
    public async Task PeriodicPass_RefreshesObservedEndpoints_AndRemovalForgetsThem()
    {
        using var lab = new ReconcileLab();
        using var sync = NewSync(lab);
        sync.Start(null);
        var peer = lab.Store.ListPeers()[^1];
        var seen = IPEndPoint.Parse("198.18.9.9:40000");
        lab.WireGuard.SetEndpoint(Device, peer.PublicKey, seen);
        var generation = sync.EndpointGeneration;

        lab.Time.Advance(WireGuardPeerSync.ReconcileInterval);
        await Eventually.TrueAsync(() => sync.GetObservedEndpoint(peer.PublicKey) is not null, "the observed endpoint");
        Assert.Equal(seen, sync.GetObservedEndpoint(peer.PublicKey));
        Assert.True(sync.EndpointGeneration > generation);

        lab.Store.SetDisabled(peer.Id, true);
        sync.PeerEnabledChanged(peer);
        await Eventually.TrueAsync(() => sync.GetObservedEndpoint(peer.PublicKey) is null, "the disabled peer's endpoint forgotten");
    }

    [Fact]
    public async Task PeerContacted_WithoutAKnownEndpoint_ReadsTheDeviceAtOnce_ThenAtMostOncePerProbeInterval()
    {
        using var lab = new ReconcileLab();
        using var sync = NewSync(lab);
        sync.Start(null);
        var peers = lab.Store.ListPeers();
        var (first, second) = (peers[^1], peers[^2]);

        // first just handshook with the server and sends its first request: no clock movement is needed to learn it.
        var firstSeen = IPEndPoint.Parse("198.18.9.1:40001");
        lab.WireGuard.SetEndpoint(Device, first.PublicKey, firstSeen);
        var generation = sync.EndpointGeneration;
        sync.PeerContacted(first);
        await Eventually.TrueAsync(() => sync.GetObservedEndpoint(first.PublicKey) is not null, "first's endpoint observed");
        Assert.Equal(firstSeen, sync.GetObservedEndpoint(first.PublicKey));
        Assert.True(sync.EndpointGeneration > generation);

        // second arrives within the same second and sends many requests: one read, when the interval has passed.
        var secondSeen = IPEndPoint.Parse("198.18.9.2:40002");
        lab.WireGuard.SetEndpoint(Device, second.PublicKey, secondSeen);
        int reads = lab.WireGuard.Reads;
        for (int i = 0; i < 50; i++)
        {
            sync.PeerContacted(second);
            sync.PeerContacted(first);
        }

        Assert.Null(sync.GetObservedEndpoint(second.PublicKey));
        lab.Time.Advance(WireGuardPeerSync.EndpointProbeInterval);
        await Eventually.TrueAsync(() => sync.GetObservedEndpoint(second.PublicKey) is not null, "second's endpoint observed");
        Assert.Equal(secondSeen, sync.GetObservedEndpoint(second.PublicKey));
        Assert.Equal(1, lab.WireGuard.Reads - reads);
        Assert.True(WireGuardPeerSync.EndpointProbeInterval < WireGuardPeerSync.ReconcileInterval);
    }
}
