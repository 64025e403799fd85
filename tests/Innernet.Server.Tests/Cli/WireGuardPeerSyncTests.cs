using Innernet.Netlink.WireGuard;
using Innernet.Server.Serve;
using Microsoft.Extensions.Logging.Abstractions;

namespace Innernet.Server.Tests.Cli;

public sealed class WireGuardPeerSyncTests
{
    private const string Device = "inn5ync00";
    private static readonly WireGuardKey ServerKey = TestKeys.NewKeyPair().PublicKey;

    private static Peer NewPeer(long id, string ip, bool disabled = false, bool redeemed = true) => new()
    {
        Id = id,
        Name = "peer" + id,
        Ip = IPAddress.Parse(ip),
        CidrId = 3,
        PublicKey = TestKeys.NewKeyPair().PublicKey,
        IsDisabled = disabled,
        IsRedeemed = redeemed,
        Endpoint = Endpoint.Parse("198.18.5.5:51820"),
    };

    private static (FakeWireGuardControl WireGuard, WireGuardPeerSync Sync) Create(TimeSpan? redeemDelay = null)
    {
        var wireGuard = new FakeWireGuardControl();
        wireGuard.AddDevice(Device);
        return (wireGuard, new WireGuardPeerSync(wireGuard, Device, ServerKey, NullLogger.Instance, TimeProvider.System, redeemDelay));
    }

    [Fact]
    public void LoadAll_OneReplacingUpdate_EnabledPeersOnly_ServerSkipped()
    {
        var (wireGuard, sync) = Create();
        using var _ = sync;
        var stale = TestKeys.NewKeyPair().PublicKey;
        wireGuard.ConfigureDevice(Device, new DeviceConfig { Peers = { new PeerConfig { PublicKey = stale } } });
        var server = NewPeer(1, "10.42.0.1") with { PublicKey = ServerKey };
        var enabled = NewPeer(2, "10.42.1.1");
        var invited = NewPeer(3, "10.42.1.2", redeemed: false);
        var disabled = NewPeer(4, "10.42.1.3", disabled: true);
        wireGuard.Configured.Clear();

        int loaded = sync.LoadAll([server, enabled, invited, disabled]);

        Assert.Equal(2, loaded);
        var (_, config) = Assert.Single(wireGuard.Configured);
        Assert.True(config.ReplacePeers);
        var peers = wireGuard.Peers(Device).OrderBy(p => p.AllowedIPs[0].ToString()).ToList();
        Assert.Equal([enabled.PublicKey, invited.PublicKey], peers.Select(p => p.PublicKey));
        Assert.Equal([IPNetwork.Parse("10.42.1.1/32")], peers[0].AllowedIPs);
        Assert.Equal(25, peers[0].PersistentKeepaliveInterval);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.18.5.5"), 51820), peers[0].Endpoint);
    }

    [Fact]
    public void AddedDisabledEnabledRemoved_FollowTheDatabase()
    {
        var (wireGuard, sync) = Create();
        using var _ = sync;
        var peer = NewPeer(2, "10.42.1.1");
        var server = NewPeer(1, "10.42.0.1") with { PublicKey = ServerKey };

        sync.PeerAdded(peer);
        sync.PeerAdded(server);
        Assert.Equal([peer.PublicKey], wireGuard.Peers(Device).Select(p => p.PublicKey));
        sync.PeerEnabledChanged(peer with { IsDisabled = true });
        Assert.Empty(wireGuard.Peers(Device));
        sync.PeerEnabledChanged(peer);
        Assert.Single(wireGuard.Peers(Device));
        sync.PeersRemoved([peer]);
        Assert.Empty(wireGuard.Peers(Device));
    }

    [Fact]
    public async Task PeerRedeemed_SwapsKeysAfterTheDelay()
    {
        var (wireGuard, sync) = Create(TimeSpan.FromMilliseconds(300));
        using var _ = sync;
        var before = NewPeer(2, "10.42.1.1", redeemed: false);
        var after = before with { PublicKey = TestKeys.NewKeyPair().PublicKey, IsRedeemed = true };
        sync.PeerAdded(before);

        sync.PeerRedeemed(before, after);
        var immediately = wireGuard.Peers(Device).Select(p => p.PublicKey).ToList();
        await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);

        Assert.Equal([before.PublicKey], immediately);
        var peer = Assert.Single(wireGuard.Peers(Device));
        Assert.Equal(after.PublicKey, peer.PublicKey);
        Assert.Equal([IPNetwork.Parse("10.42.1.1/32")], peer.AllowedIPs);
    }

    [Fact]
    public void RefreshObservedEndpoints_RecordsWhatWireGuardSees()
    {
        var (wireGuard, sync) = Create();
        using var _ = sync;
        var peer = NewPeer(2, "10.42.1.1") with { Endpoint = null };
        sync.PeerAdded(peer);
        var seen = new IPEndPoint(IPAddress.Parse("198.18.9.9"), 40000);

        sync.RefreshObservedEndpoints();
        var before = sync.GetObservedEndpoint(peer.PublicKey);
        wireGuard.SetEndpoint(Device, peer.PublicKey, seen);
        sync.RefreshObservedEndpoints();

        Assert.Null(before);
        Assert.Equal(seen, sync.GetObservedEndpoint(peer.PublicKey));
    }

    [Fact]
    public void WireGuardFailure_IsLoggedNotThrown()
    {
        var wireGuard = new FakeWireGuardControl();
        using var sync = new WireGuardPeerSync(wireGuard, "inn6one00", ServerKey, NullLogger.Instance, TimeProvider.System);

        sync.PeerAdded(NewPeer(2, "10.42.1.1"));

        Assert.Empty(wireGuard.Configured);
    }
}
