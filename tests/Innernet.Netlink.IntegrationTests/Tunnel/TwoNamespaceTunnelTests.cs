using System.Net;
using Innernet.Netlink.Route;
using Innernet.Netlink.WireGuard;
using Innernet.Testing;

namespace Innernet.Netlink.IntegrationTests.Tunnel;

/// <summary>
/// A real WireGuard tunnel between two lab namespaces joined by a veth (underlay 198.18.0.0/24),
/// configured only through Innernet.Netlink: keys, listen ports, peers with endpoints, tunnel
/// addresses (10.99.0.x/32 and fd00:99::x/128), link up and routes, each namespace through its own
/// <see cref="RouteNetlinkClient"/> made inside <see cref="NetworkNamespace.Run{T}"/>. Then traffic
/// must flow both ways and both devices must report a handshake and byte counters.
/// </summary>
public abstract class TwoNamespaceTunnelTests : IDisposable
{
    private static readonly IPAddress TunnelA = IPAddress.Parse("10.99.0.1");
    private static readonly IPAddress TunnelB = IPAddress.Parse("10.99.0.2");
    private static readonly IPAddress TunnelA6 = IPAddress.Parse("fd00:99::1");
    private static readonly IPAddress TunnelB6 = IPAddress.Parse("fd00:99::2");

    protected NetnsLab Lab { get; } = new();

    protected abstract void RequirePrerequisites();

    /// <summary>Creates WireGuard device <paramref name="name"/> inside <paramref name="ns"/> and returns a control that reaches
    /// it.</summary>
    protected abstract WireGuardClient CreateDevice(string ns, string name);

    public void Dispose()
    {
        Lab.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void Tunnel_ConfiguredThroughLibrary_PingsBothWaysAndReportsHandshake()
    {
        RequirePrerequisites();
        string nsA = Lab.AddNamespace("a");
        string nsB = Lab.AddNamespace("b");
        var (ethA, ethB) = Lab.AddVethPair(nsA, nsB);
        Lab.AddAddress(nsA, ethA, "198.18.0.1/24");
        Lab.AddAddress(nsB, ethB, "198.18.0.2/24");
        string wgA = Lab.InterfaceName("wga");
        string wgB = Lab.InterfaceName("wgb");
        var keysA = TestKeys.NewKeyPair();
        var keysB = TestKeys.NewKeyPair();

        using var controlA = CreateDevice(nsA, wgA);
        using var controlB = CreateDevice(nsB, wgB);
        controlA.ConfigureDevice(wgA, new DeviceConfig
        {
            PrivateKey = keysA.PrivateKey,
            ListenPort = 51820,
            Peers =
            {
                new PeerConfig
                {
                    PublicKey = keysB.PublicKey,
                    Endpoint = new IPEndPoint(IPAddress.Parse("198.18.0.2"), 51821),
                    AllowedIPs = { IPNetwork.Parse("10.99.0.2/32"), IPNetwork.Parse("fd00:99::2/128") },
                },
            },
        });
        controlB.ConfigureDevice(wgB, new DeviceConfig
        {
            PrivateKey = keysB.PrivateKey,
            ListenPort = 51821,
            Peers =
            {
                new PeerConfig
                {
                    PublicKey = keysA.PublicKey,
                    Endpoint = new IPEndPoint(IPAddress.Parse("198.18.0.1"), 51820),
                    AllowedIPs = { IPNetwork.Parse("10.99.0.1/32"), IPNetwork.Parse("fd00:99::1/128") },
                },
            },
        });
        ConfigureInterface(nsA, wgA, TunnelA, TunnelA6);
        ConfigureInterface(nsB, wgB, TunnelB, TunnelB6);

        var ping = Lab.PingDetailed(nsA, TunnelB, count: 3, timeout: TimeSpan.FromSeconds(3));
        Assert.True(ping.Succeeded, $"{ping}\n{Lab.DescribeWireGuardGoLogs()}");
        var ping6 = Lab.PingDetailed(nsB, TunnelA6, count: 2, timeout: TimeSpan.FromSeconds(3));
        Assert.True(ping6.Succeeded, $"{ping6}\n{Lab.DescribeWireGuardGoLogs()}");

        AssertHandshakeAndTraffic(controlA.GetDevice(wgA), keysB.PublicKey);
        AssertHandshakeAndTraffic(controlB.GetDevice(wgB), keysA.PublicKey);
    }

    private static void ConfigureInterface(string ns, string name, IPAddress address, IPAddress address6)
    {
        using var route = NetworkNamespace.Run(NetnsLab.NamespacePath(ns), () => new RouteNetlinkClient());
        var link = route.GetLink(name) ?? throw new InvalidOperationException($"{name} not found in {ns}");
        route.AddAddress(link.Index, new InterfaceAddress(address, 32));
        route.AddAddress(link.Index, new InterfaceAddress(address6, 128));
        route.SetLinkUp(link.Index);
        Assert.True(route.AddRoute(IPNetwork.Parse("10.99.0.0/24"), link.Index));
        Assert.True(route.AddRoute(IPNetwork.Parse("fd00:99::/64"), link.Index));
        Assert.True(route.GetLink(link.Index)?.IsUp);
    }

    private static void AssertHandshakeAndTraffic(WireGuardDevice? device, WireGuardKey peerKey)
    {
        Assert.NotNull(device);
        var peer = Assert.Single(device.Peers);
        Assert.Equal(peerKey, peer.PublicKey);
        Assert.NotNull(peer.LastHandshake);
        var age = DateTimeOffset.UtcNow - peer.LastHandshake.Value;
        Assert.True(age < TimeSpan.FromMinutes(2) && age > TimeSpan.FromSeconds(-5), $"handshake age {age}");
        Assert.True(peer.ReceiveBytes > 0, "rx bytes");
        Assert.True(peer.TransmitBytes > 0, "tx bytes");
    }
}
