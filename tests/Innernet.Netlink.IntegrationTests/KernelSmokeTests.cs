using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Innernet.Netlink;
using Innernet.Netlink.Route;
using Innernet.Netlink.WireGuard;
using Innernet.Testing;

namespace Innernet.Netlink.IntegrationTests;

/// <summary>
/// A quick end-to-end check of the kernel backend inside the VM, in a namespace of its own: create a device,
/// configure 1,000 peers with one peer holding 3,000 allowed IPs (forces split SET messages and a split dump),
/// read it back, update, remove, delete. Timings are printed (TCG emulation: not representative).
/// </summary>
[Trait(Layers.Name, Layers.Kernel)]
public sealed class KernelSmokeTests : IDisposable
{
    private readonly string _namespace = "inn" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3)) + "-s";
    private bool _created;

    public void Dispose()
    {
        if (_created)
        {
            Run("ip", "netns", "del", _namespace);
        }
    }

    [Fact]
    public void KernelBackend_CreateConfigureReadUpdateDelete()
    {
        Prerequisites.RequireKernelWireGuard();
        Assert.Equal(0, Run("ip", "netns", "add", _namespace));
        _created = true;
        string path = $"/run/netns/{_namespace}";
        string device = _namespace.Replace("-s", "w", StringComparison.Ordinal);

        using var control = NetworkNamespace.Run(path, KernelWireGuardClient.TryOpen);
        Assert.NotNull(control);

        Assert.True(control.CreateDevice(device));
        Assert.False(control.CreateDevice(device));
        Assert.Contains(device, control.ListDevices());

        var random = new Random(42);
        var config = new DeviceConfig { ListenPort = 51820, FirewallMark = 7, ReplacePeers = true };
        for (int i = 0; i < 1000; i++)
        {
            var peer = new PeerConfig
            {
                PublicKey = new WireGuardKey(RandomNumberGenerator.GetBytes(32)),
                Endpoint = i % 2 == 0
                    ? new IPEndPoint(IPAddress.Parse($"198.18.{i / 250}.{(i % 250) + 1}"), 51820)
                    : new IPEndPoint(IPAddress.Parse($"fd00::{i:x}"), 4000 + i),
                PersistentKeepaliveInterval = (ushort)(i % 30),
                PresharedKey = i % 3 == 0 ? new WireGuardKey(RandomNumberGenerator.GetBytes(32)) : null,
                ReplaceAllowedIPs = true,
            };
            int count = i == 500 ? 3000 : 1 + random.Next(3);
            for (int k = 0; k < count; k++)
            {
                peer.AllowedIPs.Add(new IPNetwork(new IPAddress(0x0A000000u + ((uint)i << 12) + (uint)k), 32));
            }

            peer.AllowedIPs.Add(IPNetwork.Parse($"fd10:{i:x}::/64"));
            config.Peers.Add(peer);
        }

        var stopwatch = Stopwatch.StartNew();
        control.ConfigureDevice(device, config);
        TimeSpan setTime = stopwatch.Elapsed;
        stopwatch.Restart();
        WireGuardDevice read = control.GetDevice(device)!;
        TimeSpan getTime = stopwatch.Elapsed;
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"kernel (TCG): SET 1,000 peers / {config.Peers.Sum(p => p.AllowedIPs.Count)} IPs in {setTime.TotalMilliseconds:F0} ms, "
            + $"GET in {getTime.TotalMilliseconds:F0} ms");

        Assert.Equal(51820, read.ListenPort);
        Assert.Equal(7u, read.FirewallMark);
        Assert.True(read.InterfaceIndex > 0);
        Assert.Equal(WireGuardBackend.Kernel, read.Backend);
        var byKey = read.Peers.ToDictionary(p => p.PublicKey);
        Assert.Equal(config.Peers.Count, byKey.Count);
        foreach (PeerConfig expected in config.Peers)
        {
            WireGuardPeer actual = byKey[expected.PublicKey];
            Assert.Equal(expected.Endpoint, actual.Endpoint);
            Assert.Equal(expected.PersistentKeepaliveInterval ?? 0, actual.PersistentKeepaliveInterval);
            Assert.Equal(expected.PresharedKey, actual.PresharedKey);
            Assert.Equal(expected.AllowedIPs.Order(new NetworkOrder()), actual.AllowedIPs.Order(new NetworkOrder()));
        }

        // Update: a private key, remove one peer, update-only on an unknown peer (not created), replace IPs of another.
        var privateKey = RandomNumberGenerator.GetBytes(32);
        privateKey[0] &= 248; // Curve25519 clamping, which the kernel applies to what it stores.
        privateKey[31] = (byte)((privateKey[31] & 127) | 64);
        control.ConfigureDevice(device, new DeviceConfig
        {
            PrivateKey = new WireGuardKey(privateKey),
            Peers =
            {
                new PeerConfig { PublicKey = config.Peers[0].PublicKey, Remove = true },
                new PeerConfig { PublicKey = new WireGuardKey(RandomNumberGenerator.GetBytes(32)), UpdateOnly = true },
                new PeerConfig { PublicKey = config.Peers[500].PublicKey, ReplaceAllowedIPs = true,
                    AllowedIPs = { IPNetwork.Parse("10.99.0.0/16") } },
            },
        });
        read = control.GetDevice(device)!;
        Assert.Equal(999, read.Peers.Count);
        Assert.NotNull(read.PublicKey);
        Assert.Equal(new WireGuardKey(privateKey), read.PrivateKey);
        Assert.Equal([IPNetwork.Parse("10.99.0.0/16")], read.Peers.Single(p => p.PublicKey == config.Peers[500].PublicKey).AllowedIPs);

        // rtnetlink on the same namespace.
        using var route = NetworkNamespace.Run(path, () => new RouteNetlinkClient());
        LinkInfo link = route.GetLink(device)!;
        Assert.Equal("wireguard", link.Kind);
        route.SetLinkUp(link.Index);
        route.AddAddress(link.Index, InterfaceAddress.Parse("10.66.0.1/16"));
        Assert.True(route.AddRoute(IPNetwork.Parse("10.67.0.0/16"), link.Index));
        Assert.True(route.GetLink(link.Index)!.IsUp);

        Assert.True(control.DeleteDevice(device));
        Assert.False(control.DeleteDevice(device));
        Assert.Null(control.GetDevice(device));
        Assert.Equal(Errno.ENODEV, Assert.Throws<NetlinkException>(() =>
            control.ConfigureDevice(device, new DeviceConfig { ListenPort = 1 })).Errno);
    }

    private static int Run(string file, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true })!;
        process.WaitForExit();
        return process.ExitCode;
    }

    private sealed class NetworkOrder : IComparer<IPNetwork>
    {
        public int Compare(IPNetwork x, IPNetwork y) => string.CompareOrdinal(x.ToString(), y.ToString());
    }
}
