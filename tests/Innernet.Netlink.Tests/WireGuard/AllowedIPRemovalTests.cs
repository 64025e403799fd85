using Innernet.Netlink.WireGuard;

namespace Innernet.Netlink.Tests.WireGuard;

/// <summary>The fallback for backends that cannot remove single allowed IPs: removals folded into a replace-all list.</summary>
public class AllowedIPRemovalTests
{
    private static readonly WireGuardKey A = new(Enumerable.Repeat((byte)1, 32).ToArray());
    private static readonly WireGuardKey B = new(Enumerable.Repeat((byte)2, 32).ToArray());
    private static readonly WireGuardKey C = new(Enumerable.Repeat((byte)3, 32).ToArray());

    private static IPNetwork Net(string cidr) => IPNetwork.Parse(cidr);

    private static readonly WireGuardDevice Device = new()
    {
        Name = "wg0",
        Peers = [new WireGuardPeer { PublicKey = A, AllowedIPs = [Net("10.0.0.1/32"), Net("10.0.0.2/32"), Net("fd00::1/128")] }],
    };

    [Fact]
    public void Rewrite_PeerOnTheDevice_ReplacesItsListWithTheCurrentOneMinusRemovalsPlusAdditions()
    {
        var config = new DeviceConfig
        {
            ListenPort = 51820,
            Peers =
            {
                new PeerConfig
                {
                    PublicKey = A,
                    PersistentKeepaliveInterval = 25,
                    RemoveAllowedIPs = { Net("10.0.0.2/32"), Net("10.9.9.9/32") },
                    AllowedIPs = { Net("10.0.0.3/32"), Net("10.0.0.1/32") },
                },
            },
        };

        DeviceConfig rewritten = AllowedIPRemoval.Rewrite(config, Device);

        Assert.Equal((ushort)51820, rewritten.ListenPort);
        PeerConfig peer = Assert.Single(rewritten.Peers);
        Assert.True(peer.ReplaceAllowedIPs);
        Assert.Empty(peer.RemoveAllowedIPs);
        Assert.Equal((ushort)25, peer.PersistentKeepaliveInterval);
        Assert.Equal([Net("10.0.0.1/32"), Net("fd00::1/128"), Net("10.0.0.3/32")], peer.AllowedIPs);
        Assert.Equal(2, config.Peers[0].RemoveAllowedIPs.Count); // the caller's config is left alone
    }

    [Fact]
    public void Rewrite_NewPeerOrClearedList_KeepsOnlyTheAdditions_AndOtherPeersAsTheyAre()
    {
        var untouched = new PeerConfig { PublicKey = C, AllowedIPs = { Net("10.0.0.9/32") } };
        var config = new DeviceConfig
        {
            Peers =
            {
                new PeerConfig { PublicKey = B, RemoveAllowedIPs = { Net("10.0.0.5/32") }, AllowedIPs = { Net("10.0.0.6/32") } },
                new PeerConfig
                {
                    PublicKey = A, ReplaceAllowedIPs = true, RemoveAllowedIPs = { Net("10.0.0.1/32") }, AllowedIPs = { Net("10.0.0.7/32") },
                },
                untouched,
            },
        };

        DeviceConfig rewritten = AllowedIPRemoval.Rewrite(config, Device);

        Assert.False(rewritten.Peers[0].ReplaceAllowedIPs);
        Assert.Equal([Net("10.0.0.6/32")], rewritten.Peers[0].AllowedIPs);
        Assert.True(rewritten.Peers[1].ReplaceAllowedIPs);
        Assert.Equal([Net("10.0.0.7/32")], rewritten.Peers[1].AllowedIPs);
        Assert.Same(untouched, rewritten.Peers[2]);
        Assert.All(rewritten.Peers, p => Assert.Empty(p.RemoveAllowedIPs));
    }

    [Fact]
    public void IsNeeded_OnlyForRemovalsOfPeersThatStay()
    {
        Assert.False(AllowedIPRemoval.IsNeeded(new DeviceConfig
        {
            Peers = { new PeerConfig { PublicKey = A, AllowedIPs = { Net("10.0.0.1/32") } } },
        }));
        Assert.False(AllowedIPRemoval.IsNeeded(new DeviceConfig
        {
            Peers = { new PeerConfig { PublicKey = A, Remove = true, RemoveAllowedIPs = { Net("10.0.0.1/32") } } },
        }));
        Assert.True(AllowedIPRemoval.IsNeeded(new DeviceConfig
        {
            Peers = { new PeerConfig { PublicKey = A, RemoveAllowedIPs = { Net("10.0.0.1/32") } } },
        }));
    }
}
