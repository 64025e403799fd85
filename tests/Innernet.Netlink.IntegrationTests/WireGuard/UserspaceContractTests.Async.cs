using System.Globalization;
using System.Net;
using Innernet.Netlink;
using Innernet.Netlink.WireGuard;
using Innernet.Testing;

namespace Innernet.Netlink.IntegrationTests.WireGuard;

/// <summary>The asynchronous members against real wireguard-go: they configure and read a device as the sync ones do.</summary>
public sealed partial class UserspaceContractTests
{
    private static DeviceConfig TwinConfig(WireGuardKey privateKey, ushort port, List<PeerConfig> peers) => new()
    {
        PrivateKey = privateKey,
        ListenPort = port,
        FirewallMark = 0x51,
        ReplacePeers = true,
        Peers = peers,
    };

    /// <summary>The device as text without what differs between two twins by construction (name, port).</summary>
    private static string TwinText(WireGuardDevice device) =>
        WireGuardDeviceText.Of(device)
            .Replace(device.Name + " ", "NAME ", StringComparison.Ordinal)
            .Replace($"port={device.ListenPort.ToString(CultureInfo.InvariantCulture)} ", "port=PORT ", StringComparison.Ordinal);

    [Fact]
    public async Task ConfigureDeviceAsync_TwinOfSyncConfigure_SameDeviceReadBothWays()
    {
        var token = TestContext.Current.CancellationToken;
        string syncName = NewDevice();
        string asyncName = NewDevice();
        var key = TestKeys.NewKeyPair().PrivateKey;
        var peers = PeerSets.Random(300, withEndpointsAndKeepalive: true);
        ushort port = (ushort)Random.Shared.Next(20000, 60000);

        Control.ConfigureDevice(syncName, TwinConfig(key, port, peers));
        await Control.ConfigureDeviceAsync(asyncName, TwinConfig(key, (ushort)(port + 1), peers), token);

        var syncRead = Control.GetDevice(syncName)!;
        var asyncRead = (await Control.GetDeviceAsync(asyncName, token))!;
        PeerSets.AssertMatches(peers, asyncRead);
        Assert.Equal((ushort)(port + 1), asyncRead.ListenPort);
        Assert.Equal(key, asyncRead.PrivateKey);
        Assert.Equal(0x51u, asyncRead.FirewallMark);
        Assert.Equal(TwinText(syncRead), TwinText(asyncRead));
        Assert.Equal(WireGuardDeviceText.Of(Control.GetDevice(asyncName)), WireGuardDeviceText.Of(asyncRead));
        Assert.Equal(WireGuardDeviceText.Of(syncRead), WireGuardDeviceText.Of(await Control.GetDeviceAsync(syncName, token)));
    }

    [Fact]
    public async Task ConfigureDeviceAsync_RemoveAndReplaceAllowedIPs_WgShowDumpAgreesWithSync()
    {
        var token = TestContext.Current.CancellationToken;
        string name = NewDevice();
        var peers = PeerSets.Random(3, withEndpointsAndKeepalive: false);
        await Control.ConfigureDeviceAsync(name, new DeviceConfig { Peers = peers }, token);

        var replaced = new PeerConfig
        {
            PublicKey = peers[1].PublicKey,
            ReplaceAllowedIPs = true,
            AllowedIPs = { IPNetwork.Parse("10.77.0.0/16"), IPNetwork.Parse("fd77::/48") },
        };
        await Control.ConfigureDeviceAsync(
            name, new DeviceConfig { Peers = { new PeerConfig { PublicKey = peers[0].PublicKey, Remove = true }, replaced } }, token);

        var device = (await Control.GetDeviceAsync(name, token))!;
        PeerSets.AssertMatches([replaced, peers[2]], device);
        Assert.Equal(WireGuardDeviceText.Of(Control.GetDevice(name)), WireGuardDeviceText.Of(device));
        string dump = WgShowDump(name);
        Assert.DoesNotContain(peers[0].PublicKey.ToBase64(), dump, StringComparison.Ordinal);
        Assert.Contains("10.77.0.0/16", dump, StringComparison.Ordinal);
        Assert.Contains("fd77::/48", dump, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListDevicesAsync_SameAsListDevices()
    {
        string first = NewDevice();
        string second = NewDevice();

        var names = await Control.ListDevicesAsync(TestContext.Current.CancellationToken);

        Assert.Contains(first, names);
        Assert.Contains(second, names);
        Assert.Equal(Control.ListDevices(), names);
    }

    [Fact]
    public async Task Async_CancelledToken_DeviceUntouched()
    {
        string name = NewDevice();
        ushort port = (ushort)Random.Shared.Next(20000, 60000);
        Control.ConfigureDevice(name, new DeviceConfig { ListenPort = port });
        string before = WireGuardDeviceText.Of(Control.GetDevice(name));
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => Control.ConfigureDeviceAsync(
                name, new DeviceConfig { ListenPort = (ushort)(port + 1), ReplacePeers = true }, cancel.Token).AsTask());

        Assert.Equal(before, WireGuardDeviceText.Of(Control.GetDevice(name)));
    }

    [Fact]
    public async Task Async_MissingDevice_NullAndEnodevLikeSync()
    {
        RequirePrerequisites();
        var token = TestContext.Current.CancellationToken;
        string name = Lab.InterfaceName("none");

        Assert.Null(await Control.GetDeviceAsync(name, token));
        var e = await Assert.ThrowsAsync<NetlinkException>(
            () => Control.ConfigureDeviceAsync(name, new DeviceConfig { ListenPort = 1 }, token).AsTask());
        Assert.Equal(Errno.ENODEV, e.Errno);
    }

    [Fact]
    public async Task DeleteDeviceAsync_WireGuardGoOfLab_ExitsAndTheNameIsGone()
    {
        var token = TestContext.Current.CancellationToken;
        string name = NewDevice();
        var process = Lab.WireGuardGoProcesses.Single(p => p.InterfaceName == name);

        Assert.True(await Control.DeleteDeviceAsync(name, token));

        bool exited = SpinWait.SpinUntil(() => process.HasExited, TimeSpan.FromSeconds(10));
        Assert.True(exited, "wireguard-go should exit once its socket is removed");
        Assert.False(File.Exists(process.SocketPath));
        Assert.Null(await Control.GetDeviceAsync(name, token));
        Assert.DoesNotContain(name, await Control.ListDevicesAsync(token));
        Assert.False(await Control.DeleteDeviceAsync(name, token));
    }
}
