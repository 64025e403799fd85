using Innernet.Core.Client;
using Innernet.Core.Config;
using Innernet.Core.Live;
using Innernet.Core.Model;
using Innernet.Netlink.Route;
using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Tests.Client;

public sealed class InterfaceViewTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly WireGuardKey VectorPrivate = WireGuardKey.Parse(TestKeys.VectorPrivate);
    private static readonly WireGuardKey VectorPublic = WireGuardKey.Parse(TestKeys.VectorPublic);

    private static readonly Peer Bob = Fixtures.MakePeer(3, "bob", "10.42.1.3", 3);
    private static readonly Peer Carol = Fixtures.MakePeer(4, "carol", "10.42.2.4", 4);

    private static WireGuardDevice Device(WireGuardKey? publicKey, WireGuardKey? privateKey, params WireGuardPeer[] peers) => new()
    {
        Name = "evilcorp",
        ListenPort = 51999,
        PublicKey = publicKey,
        PrivateKey = privateKey,
        Peers = peers,
    };

    private static WireGuardPeer On(Peer peer, DateTimeOffset? handshake = null, string? endpoint = null) => new()
    {
        PublicKey = peer.PublicKey,
        LastHandshake = handshake,
        Endpoint = endpoint is null ? null : IPEndPoint.Parse(endpoint),
        ReceiveBytes = 1000,
        TransmitBytes = 2000,
    };

    private static InterfaceConfig Config(
        string address, WireGuardKey privateKey, IReadOnlyDictionary<IPAddress, Endpoint>? overrides = null)
        => new()
        {
            Interface = new InterfaceInfo("evilcorp", InterfaceAddress.Parse(address), privateKey),
            Server = new ServerInfo(Fixtures.Server.PublicKey, Endpoint.Parse("203.0.113.1:51820"), IPEndPoint.Parse("10.42.0.1:51820")),
            PeerEndpointOverrides = overrides ?? new Dictionary<IPAddress, Endpoint>(),
        };

    [Fact]
    public void Build_JoinsDeviceAndCache_YouIncluded_SortedByIp()
    {
        var me = Fixtures.MakePeer(2, "laptop", "10.42.1.9", 3, key: VectorPublic);
        var device = Device(VectorPublic, null, On(Carol, Now.AddSeconds(-10), "198.51.100.4:51820"), On(Bob));

        var view = InterfaceView.Build("evilcorp", device, [Carol, me, Bob, Fixtures.Server], Fixtures.Cidrs, null, Now);

        Assert.Equal(["10.42.1.3", "10.42.1.9", "10.42.2.4"], view.Peers.Select(r => r.Ip.ToString()));
        var you = view.Peers[1];
        Assert.Equal(("laptop", true, true, 3L), (you.Name, you.IsYou, you.Connected, you.CidrId));
        var carol = view.Peers[2];
        Assert.Equal(("carol", false, 4L), (carol.Name, carol.IsYou, carol.CidrId));
        Assert.Equal(IPEndPoint.Parse("198.51.100.4:51820"), carol.Endpoint);
        Assert.Equal((1000UL, 2000UL), (carol.ReceiveBytes, carol.TransmitBytes));
        Assert.Equal((ushort)51999, view.ListenPort);
        Assert.Null(view.Address);
        Assert.Same(Fixtures.Cidrs, view.Cidrs);
        Assert.Equal(Now, view.Now);
    }

    [Fact]
    public void Build_WithoutDevicePublicKey_DerivesOwnKeyFromTheDevicePrivateKey()
    {
        var me = Fixtures.MakePeer(2, "laptop", "10.42.1.9", 3, key: VectorPublic);

        var view = InterfaceView.Build("evilcorp", Device(null, VectorPrivate), [me], Fixtures.Cidrs, null, Now);

        var you = Assert.Single(view.Peers);
        Assert.Equal(("laptop", VectorPublic, true), (you.Name, you.PublicKey, you.IsYou));
    }

    [Fact]
    public void Build_DeviceWithoutKeys_TakesTheConfigKey_AndItsAddressWhenTheCacheLacksYou()
    {
        var config = Config("10.42.1.77/16", VectorPrivate);

        var view = InterfaceView.Build("evilcorp", Device(null, null), [Bob], Fixtures.Cidrs, config, Now);

        var you = Assert.Single(view.Peers);
        Assert.Equal((InterfaceView.UnknownSelfName, "10.42.1.77", VectorPublic, true, (long?)null),
            (you.Name, you.Ip.ToString(), you.PublicKey, you.IsYou, you.CidrId));
        Assert.Equal(InterfaceAddress.Parse("10.42.1.77/16"), view.Address);
    }

    [Fact]
    public void Build_NoOwnKeyAnywhere_ListsOnlyTheDevicePeers()
    {
        var view = InterfaceView.Build("evilcorp", Device(null, null, On(Bob)), [Bob], Fixtures.Cidrs, null, Now);

        Assert.False(Assert.Single(view.Peers).IsYou);
    }

    [Fact]
    public void Build_Handshakes_EpochIsNever_ConnectedOnlyWithin180Seconds()
    {
        var dave = Fixtures.MakePeer(5, "dave", "10.42.1.5", 3);
        var device = Device(
            VectorPublic, null, On(Bob, DateTimeOffset.UnixEpoch), On(Carol, Now.AddSeconds(-180)), On(dave, Now.AddSeconds(-181)));

        var view = InterfaceView.Build("evilcorp", device, [Bob, Carol, dave], Fixtures.Cidrs, null, Now);

        var byName = view.Peers.ToDictionary(r => r.Name);
        Assert.Equal(((DateTimeOffset?)null, false), (byName["bob"].LastHandshake, byName["bob"].Connected));
        Assert.Equal((Now.AddSeconds(-180), true), (byName["carol"].LastHandshake, byName["carol"].Connected));
        Assert.Equal((Now.AddSeconds(-181), false), (byName["dave"].LastHandshake, byName["dave"].Connected));
    }

    [Fact]
    public void Build_EndpointOverriddenInTheConfig_IsMarked()
    {
        var overrides = new Dictionary<IPAddress, Endpoint> { [Carol.Ip] = Endpoint.Parse("192.0.2.7:5000") };
        var config = Config("10.42.1.9/16", VectorPrivate, overrides);

        var device = Device(VectorPublic, null, On(Bob), On(Carol));

        var view = InterfaceView.Build("evilcorp", device, [Bob, Carol], Fixtures.Cidrs, config, Now);

        Assert.Equal([false, false, true], view.Peers.Select(r => r.Overridden));
    }

    [Fact]
    public void Build_CarriesTheDaemonStatus()
    {
        var status = new LiveStatus(42, LiveMode.Live, Now.AddMinutes(-5), null, "v1");

        var view = InterfaceView.Build("evilcorp", Device(null, null), [], Fixtures.Cidrs, null, Now, status);

        Assert.Same(status, view.Updates);
    }

    [Fact]
    public void Build_DevicePeerMissingFromTheCache_SaysToFetch()
    {
        var device = Device(null, null, On(Carol));

        var e = Assert.Throws<InnernetException>(() => InterfaceView.Build("evilcorp", device, [Bob], Fixtures.Cidrs, null, Now));

        Assert.Contains(Carol.PublicKey.ToBase64(), e.Message, StringComparison.Ordinal);
        Assert.Contains("innernet fetch evilcorp", e.Message, StringComparison.Ordinal);
    }
}
