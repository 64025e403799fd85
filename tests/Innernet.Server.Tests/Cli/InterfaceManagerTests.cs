using Innernet.Core.Interfaces;
using Innernet.Core.Sync;
using Innernet.Netlink.Route;
using Innernet.Netlink.WireGuard;

namespace Innernet.Server.Tests.Cli;

public sealed class InterfaceManagerTests
{
    private static readonly WireGuardKey PrivateKey = TestKeys.NewKeyPair().PrivateKey;
    private static readonly WireGuardKey ServerKey = TestKeys.NewKeyPair().PublicKey;

    [Fact]
    public void BuildDeviceConfig_Client_HasKeyNoPortAndTheServerPeer()
    {
        var request = new InterfaceUpRequest(
            "inn0a1b2c", PrivateKey, new InterfaceAddress(IPAddress.Parse("10.42.1.2"), 16), null,
            new InterfaceServerPeer(ServerKey, IPAddress.Parse("10.42.0.1"), new IPEndPoint(IPAddress.Parse("198.18.0.1"), 51820)),
            new NetworkOptions());

        var config = InterfaceManager.BuildDeviceConfig(request);

        Assert.Equal(PrivateKey, config.PrivateKey);
        Assert.Null(config.ListenPort);
        Assert.False(config.ReplacePeers);
        var peer = Assert.Single(config.Peers);
        Assert.Equal(ServerKey, peer.PublicKey);
        Assert.Equal([IPNetwork.Parse("10.42.0.1/32")], peer.AllowedIPs);
        Assert.True(peer.ReplaceAllowedIPs);
        Assert.Equal((ushort)25, peer.PersistentKeepaliveInterval);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.18.0.1"), 51820), peer.Endpoint);
    }

    [Fact]
    public void BuildDeviceConfig_ServerIPv6_HasPortAndNoPeers()
    {
        var request = new InterfaceUpRequest(
            "inn0a1b2c", PrivateKey, new InterfaceAddress(IPAddress.Parse("fd00:42::1"), 64), 51820, null, new NetworkOptions());

        var config = InterfaceManager.BuildDeviceConfig(request);

        Assert.Equal((ushort)51820, config.ListenPort);
        Assert.Empty(config.Peers);
    }

    [Fact]
    public void HostNetwork_IsSlash32OrSlash128()
    {
        Assert.Equal(IPNetwork.Parse("10.42.3.4/32"), PeerDiff.HostNetwork(IPAddress.Parse("10.42.3.4")));
        Assert.Equal(IPNetwork.Parse("fd00::5/128"), PeerDiff.HostNetwork(IPAddress.Parse("fd00::5")));
    }

    [Theory]
    [InlineData("10.42.1.2", 16, false, "10.42.0.0/16")]
    [InlineData("fd00:42::9", 48, false, "fd00:42::/48")]
    [InlineData("10.42.1.2", 16, true, null)]
    public void RouteFor_IsTheRootNetworkUnlessNoRouting(string ip, int prefix, bool noRouting, string? expected)
    {
        var request = new InterfaceUpRequest(
            "inn0a1b2c", PrivateKey, new InterfaceAddress(IPAddress.Parse(ip), prefix), null, null,
            new NetworkOptions { NoRouting = noRouting });

        Assert.Equal(expected is null ? null : IPNetwork.Parse(expected), InterfaceManager.RouteFor(request));
    }

    [Fact]
    public void ToString_NeverShowsThePrivateKey()
    {
        var request = new InterfaceUpRequest(
            "inn0a1b2c", PrivateKey, new InterfaceAddress(IPAddress.Parse("10.42.0.1"), 16), 51820, null, new NetworkOptions());

        Assert.DoesNotContain(PrivateKey.ToBase64(), request.ToString(), StringComparison.Ordinal);
    }
}
