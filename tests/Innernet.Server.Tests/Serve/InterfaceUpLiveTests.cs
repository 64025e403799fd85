using Innernet.Core.Interfaces;
using Innernet.Netlink;
using Innernet.Netlink.Route;
using Innernet.Netlink.WireGuard;

namespace Innernet.Server.Tests.Serve;

/// <summary>
/// <see cref="InterfaceManager.Up(InterfaceUpRequest, WireGuardDevice?)"/> on a live wireguard-go interface inside a
/// namespace: what already matches (private key, listen port, address) is not set again; what differs is.
/// </summary>
[Trait(Layers.Name, Layers.Host)]
public sealed class InterfaceUpLiveTests : IDisposable
{
    private readonly NetnsLab _lab = new();

    [Fact]
    public void LiveInterface_MatchingKeyPortAndAddress_AreLeftAlone_ADifferentPortIsSet()
    {
        Prerequisites.RequireWireGuardGo();
        string ns = _lab.AddNamespace("u");
        string iface = _lab.InterfaceName("u");
        string path = NetnsLab.NamespacePath(ns);
        _lab.StartWireGuardGo(ns, iface);
        using var real = WireGuardClient.Open(WireGuardBackend.Userspace);
        var recording = new RecordingWireGuard(real);
        var manager = new InterfaceManager(recording, () => NetworkNamespace.Run(path, () => new RouteNetlinkClient()));
        var address = new InterfaceAddress(IPAddress.Parse("10.77.0.1"), 16);
        var request = new InterfaceUpRequest(iface, TestKeys.NewKeyPair().PrivateKey, address, 51999, null, new NetworkOptions());
        manager.Up(request);
        recording.Clear();

        bool created = manager.Up(request, real.GetDevice(iface));
        var untouched = recording.Configs;
        manager.Up(request with { ListenPort = 52000 }, real.GetDevice(iface));

        Assert.False(created);
        Assert.Empty(untouched);
        var config = Assert.Single(recording.Configs);
        Assert.Equal((ushort)52000, config.ListenPort);
        Assert.Null(config.PrivateKey);
        Assert.Equal((ushort)52000, real.GetDevice(iface)!.ListenPort);
        var addresses = NetworkNamespace.Run(path, () =>
        {
            using var route = new RouteNetlinkClient();
            return route.GetAddresses(route.GetLink(iface)!.Index);
        });
        Assert.Equal([address], addresses.Where(a => a.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork));
    }

    public void Dispose() => _lab.Dispose();
}
