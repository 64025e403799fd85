using Innernet.Core.Model;
using Innernet.Core.Sync;
using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Tests.Sync;

public sealed class PeerDiffTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly WireGuardKey Own = TestKeys.Numbered(1000);

    private static readonly Peer Laptop = Fixtures.Laptop with { Endpoint = Endpoint.Parse("203.0.113.7:51820") };

    [Fact]
    public void NoDevice_AddsEveryEnabledPeerExceptSelf()
    {
        var self = Fixtures.MakePeer(9, "me", "10.42.1.9", 3, key: Own);
        var disabled = Fixtures.MakePeer(5, "old", "10.42.1.5", 3, isDisabled: true);

        var diff = PeerDiff.Compute([Fixtures.Server, Laptop, self, disabled], null, Own, Now);

        Assert.Equal([Fixtures.Server.PublicKey, Laptop.PublicKey], diff.Config.Peers.Select(p => p.PublicKey));
        var laptop = diff.Config.Peers[1];
        Assert.True(laptop.ReplaceAllowedIPs);
        Assert.Equal([IPNetwork.Parse("10.42.1.1/32")], laptop.AllowedIPs);
        Assert.Equal((ushort)25, laptop.PersistentKeepaliveInterval);
        Assert.Equal(IPEndPoint.Parse("203.0.113.7:51820"), laptop.Endpoint);
        Assert.All(diff.Changes, c => Assert.Equal(DevicePeerChangeKind.Added, c.Kind));
        Assert.Equal("peer laptop (AgAAAAAAAA...) was added", diff.Changes[1].Summary);
        Assert.False(diff.Config.ReplacePeers);
    }

    [Fact]
    public void Ipv6Peer_GetsSlash128()
    {
        var peer = Fixtures.MakePeer(3, "v6", "fd00::3", 3);
        var diff = PeerDiff.Compute([peer], null, Own, Now);
        Assert.Equal([IPNetwork.Parse("fd00::3/128")], Assert.Single(diff.Config.Peers).AllowedIPs);
    }

    [Fact]
    public void UpToDateDevice_NoChanges()
    {
        var device = Device(DevicePeer(Laptop, endpoint: "203.0.113.7:51820", handshake: Now.AddSeconds(-30)));

        var diff = PeerDiff.Compute([Laptop], device, Own, Now);

        Assert.False(diff.HasUpdates);
        Assert.Empty(diff.Changes);
        Assert.Empty(diff.NatTraversalPeers);
    }

    [Fact]
    public void WrongAllowedIpsAndKeepalive_AreReplaced()
    {
        var old = DevicePeer(Laptop, endpoint: "203.0.113.7:51820", handshake: Now.AddSeconds(-10));
        var device = Device(new WireGuardPeer
        {
            PublicKey = old.PublicKey,
            Endpoint = old.Endpoint,
            LastHandshake = old.LastHandshake,
            AllowedIPs = [IPNetwork.Parse("10.42.1.1/32"), IPNetwork.Parse("10.0.0.0/8")],
            PersistentKeepaliveInterval = 0,
        });

        var diff = PeerDiff.Compute([Laptop], device, Own, Now);

        var config = Assert.Single(diff.Config.Peers);
        Assert.True(config.ReplaceAllowedIPs);
        Assert.Equal([IPNetwork.Parse("10.42.1.1/32")], config.AllowedIPs);
        Assert.Equal((ushort)25, config.PersistentKeepaliveInterval);
        Assert.Null(config.Endpoint);
        var change = Assert.Single(diff.Changes);
        Assert.Equal(DevicePeerChangeKind.Modified, change.Kind);
        Assert.Contains("allowed IPs: 10.42.1.1/32, 10.0.0.0/8 => 10.42.1.1/32", change.Details);
        Assert.Contains("persistent keepalive: 0 => 25", change.Details);
    }

    [Fact]
    public void NullKeepalive_SetsZero()
    {
        var device = Device(DevicePeer(Laptop, endpoint: "203.0.113.7:51820", handshake: Now.AddSeconds(-10)));
        var diff = PeerDiff.Compute([Laptop with { PersistentKeepaliveInterval = null }], device, Own, Now);
        Assert.Equal((ushort)0, Assert.Single(diff.Config.Peers).PersistentKeepaliveInterval);
    }

    [Fact]
    public void RecentlyConnectedPeer_KeepsItsEndpoint()
    {
        var device = Device(DevicePeer(Laptop, endpoint: "198.51.100.1:4000", handshake: Now.AddSeconds(-180)));

        var diff = PeerDiff.Compute([Laptop with { Candidates = [Endpoint.Parse("192.168.1.2:51820")] }], device, Own, Now);

        Assert.False(diff.HasUpdates);
        Assert.Empty(diff.Changes);
        Assert.Empty(diff.NatTraversalPeers);
    }

    [Theory]
    [InlineData(181)]
    [InlineData(-1)]
    public void StaleOrNeverConnectedPeer_GetsNewEndpoint(int handshakeAgeSeconds)
    {
        DateTimeOffset? handshake = handshakeAgeSeconds < 0 ? null : Now.AddSeconds(-handshakeAgeSeconds);
        var device = Device(DevicePeer(Laptop, endpoint: "198.51.100.1:4000", handshake: handshake));

        var diff = PeerDiff.Compute([Laptop], device, Own, Now);

        Assert.Equal(IPEndPoint.Parse("203.0.113.7:51820"), Assert.Single(diff.Config.Peers).Endpoint);
        var change = Assert.Single(diff.Changes);
        Assert.True(change.EndpointChanged);
        Assert.Contains("endpoint: 198.51.100.1:4000 => 203.0.113.7:51820", change.Details);
        Assert.Equal([Laptop], diff.NatTraversalPeers);
    }

    [Fact]
    public void EpochHandshake_CountsAsNever()
    {
        var device = Device(DevicePeer(Laptop, endpoint: "198.51.100.1:4000", handshake: DateTimeOffset.UnixEpoch));
        Assert.True(PeerDiff.Compute([Laptop], device, Own, Now).HasUpdates);
    }

    [Fact]
    public void UnresolvableEndpointWithCandidates_IsNatReattemptOnly()
    {
        var peer = Laptop with { Endpoint = Endpoint.Parse("laptop.example:51820"), Candidates = [Endpoint.Parse("192.168.1.2:51820")] };
        var device = Device(DevicePeer(peer, endpoint: null, handshake: null));

        var diff = PeerDiff.Compute([peer], device, Own, Now);

        Assert.False(diff.HasUpdates);
        var change = Assert.Single(diff.Changes);
        Assert.True(change.NatReattemptOnly);
        Assert.Equal([peer], diff.NatTraversalPeers);
    }

    [Fact]
    public void Resolver_IsUsedForDnsNames()
    {
        var peer = Laptop with { Endpoint = Endpoint.Parse("laptop.example:51820") };

        var diff = PeerDiff.Compute([peer], null, Own, Now,
            e => e.Host == "laptop.example" ? new IPEndPoint(IPAddress.Parse("192.0.2.9"), e.Port) : null);

        Assert.Equal(IPEndPoint.Parse("192.0.2.9:51820"), Assert.Single(diff.Config.Peers).Endpoint);
    }

    [Fact]
    public void DevicePeerNotListed_IsRemovedAndNamedFromCache_DisabledListedPeerIsLeftAlone()
    {
        var gone = Fixtures.MakePeer(7, "gone", "10.42.1.7", 3);
        var disabled = Fixtures.MakePeer(8, "disabled", "10.42.1.8", 3, isDisabled: true);
        var device = Device(
            DevicePeer(Laptop, "203.0.113.7:51820", Now),
            DevicePeer(gone, null, null),
            DevicePeer(disabled, null, null));

        var diff = PeerDiff.Compute([Laptop, disabled], device, Own, Now, knownPeers: [gone]);

        var removal = Assert.Single(diff.Config.Peers);
        Assert.True(removal.Remove);
        Assert.Equal(gone.PublicKey, removal.PublicKey);
        var change = Assert.Single(diff.Changes);
        Assert.Equal(DevicePeerChangeKind.Removed, change.Kind);
        Assert.Equal("gone", change.Name);
        Assert.EndsWith("was removed", change.Summary, StringComparison.Ordinal);
    }

    private static WireGuardDevice Device(params WireGuardPeer[] peers) => new() { Name = "evilcorp", Peers = peers };

    private static WireGuardPeer DevicePeer(Peer peer, string? endpoint, DateTimeOffset? handshake) => new()
    {
        PublicKey = peer.PublicKey,
        Endpoint = endpoint is null ? null : IPEndPoint.Parse(endpoint),
        LastHandshake = handshake,
        AllowedIPs = [PeerDiff.HostNetwork(peer.Ip)],
        PersistentKeepaliveInterval = 25,
    };
}
