using System.Globalization;
using System.Net;
using Innernet.Netlink;
using Innernet.Netlink.WireGuard;
using Innernet.Testing;

namespace Innernet.Netlink.IntegrationTests.WireGuard;

/// <summary>
/// The one behavioural contract of <see cref="WireGuardClient"/>, run against every backend by a
/// concrete subclass (userspace on the host, kernel in the VM). Each test gets a fresh lab namespace
/// and fresh devices; nothing is shared between tests.
/// </summary>
public abstract class WireGuardContractTests : IDisposable
{
    private WireGuardClient? _control;
    private int _deviceCounter;

    protected NetnsLab Lab { get; } = new();

    /// <summary>The backend under test (opened on first use, after the prerequisites were checked).</summary>
    protected WireGuardClient Control => _control ??= OpenControl();

    /// <summary>Skips (or fails under CI) when the backend cannot run here.</summary>
    protected abstract void RequirePrerequisites();

    /// <summary>Opens the backend so that it sees the devices made by <see cref="CreateTestDevice"/>.</summary>
    protected abstract WireGuardClient OpenControl();

    /// <summary>Brings a new, empty device with the given name into existence (inside the lab).</summary>
    protected abstract void CreateTestDevice(string name);

    /// <summary>Whether <see cref="WireGuardDevice.PublicKey"/> is always reported once a private key is set.</summary>
    protected virtual bool ReportsPublicKey => true;

    public void Dispose()
    {
        _control?.Dispose();
        Lab.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Checks prerequisites and creates a fresh device; returns its (lab-unique) name.</summary>
    protected string NewDevice()
    {
        RequirePrerequisites();
        string name = Lab.InterfaceName("w" + Interlocked.Increment(ref _deviceCounter).ToString(CultureInfo.InvariantCulture));
        CreateTestDevice(name);
        return name;
    }

    protected WireGuardDevice Read(string name) =>
        Control.GetDevice(name) ?? throw new InvalidOperationException($"device {name} vanished");

    [Fact]
    public void CreateDevice_NewName_IsListedAndEmpty()
    {
        string name = NewDevice();

        Assert.Contains(name, Control.ListDevices());
        var device = Read(name);
        Assert.Equal(name, device.Name);
        Assert.Null(device.PrivateKey);
        Assert.Null(device.PublicKey);
        Assert.Equal(0u, device.FirewallMark);
        Assert.Empty(device.Peers);
        Assert.Equal(Control.Backend, device.Backend);
    }

    [Fact]
    public void CreateDevice_ExistingName_ReturnsFalseAndKeepsConfiguration()
    {
        string name = NewDevice();
        var keys = TestKeys.NewKeyPair();
        Control.ConfigureDevice(name, new DeviceConfig { PrivateKey = keys.PrivateKey });

        Assert.False(Control.CreateDevice(name));
        Assert.Equal(keys.PrivateKey, Read(name).PrivateKey);
    }

    [Fact]
    public void ConfigureDevice_PrivateKeyListenPortFwmark_ReadBack()
    {
        string name = NewDevice();
        var keys = TestKeys.NewKeyPair();
        ushort port = (ushort)Random.Shared.Next(20000, 60000);
        uint mark = (uint)Random.Shared.Next(1, int.MaxValue);

        Control.ConfigureDevice(name, new DeviceConfig { PrivateKey = keys.PrivateKey, ListenPort = port, FirewallMark = mark });

        var device = Read(name);
        Assert.Equal(keys.PrivateKey, device.PrivateKey);
        Assert.Equal(port, device.ListenPort);
        Assert.Equal(mark, device.FirewallMark);
        if (ReportsPublicKey || device.PublicKey is not null)
        {
            Assert.Equal(keys.PublicKey, device.PublicKey);
        }
    }

    [Fact]
    public void ConfigureDevice_NullSettings_LeaveDeviceUnchanged()
    {
        string name = NewDevice();
        var keys = TestKeys.NewKeyPair();
        ushort port = (ushort)Random.Shared.Next(20000, 60000);
        Control.ConfigureDevice(name, new DeviceConfig { PrivateKey = keys.PrivateKey, ListenPort = port, FirewallMark = 77 });

        var peer = new PeerConfig { PublicKey = TestKeys.RandomKey(), AllowedIPs = { IPNetwork.Parse("10.9.0.2/32") } };
        Control.ConfigureDevice(name, new DeviceConfig { Peers = { peer } });

        var device = Read(name);
        Assert.Equal(keys.PrivateKey, device.PrivateKey);
        Assert.Equal(port, device.ListenPort);
        Assert.Equal(77u, device.FirewallMark);
        PeerSets.AssertMatches([peer], device);
    }

    [Fact]
    public void ConfigureDevice_ZeroPrivateKeyAndFwmark_RemovesThem()
    {
        string name = NewDevice();
        Control.ConfigureDevice(name, new DeviceConfig { PrivateKey = TestKeys.NewKeyPair().PrivateKey, FirewallMark = 5 });

        Control.ConfigureDevice(name, new DeviceConfig { PrivateKey = WireGuardKey.Zero, FirewallMark = 0 });

        var device = Read(name);
        Assert.Null(device.PrivateKey);
        Assert.Null(device.PublicKey);
        Assert.Equal(0u, device.FirewallMark);
    }

    [Fact]
    public void ConfigureDevice_1000PeersWithEndpointsAndKeepalive_ReadBackIdentical()
    {
        string name = NewDevice();
        var peers = PeerSets.Random(1000, withEndpointsAndKeepalive: true);

        Control.ConfigureDevice(name, new DeviceConfig { PrivateKey = TestKeys.NewKeyPair().PrivateKey, Peers = peers });

        PeerSets.AssertMatches(peers, Read(name));
    }

    [Fact]
    public void ConfigureDevice_3000AllowedIPsOnOnePeer_ReadBackIdentical()
    {
        string name = NewDevice();
        var peer = new PeerConfig { PublicKey = TestKeys.RandomKey() };
        foreach (var network in PeerSets.ManyAllowedIPs(v4: 2000, v6: 1000))
        {
            peer.AllowedIPs.Add(network);
        }

        var small = new PeerConfig { PublicKey = TestKeys.RandomKey(), AllowedIPs = { IPNetwork.Parse("10.1.0.0/16") } };
        Control.ConfigureDevice(name, new DeviceConfig { Peers = { small, peer } });

        PeerSets.AssertMatches([small, peer], Read(name));
    }

    [Fact]
    public void ConfigureDevice_RemovePeer_OnlyThatPeerIsGone()
    {
        string name = NewDevice();
        var peers = PeerSets.Random(5, withEndpointsAndKeepalive: true);
        Control.ConfigureDevice(name, new DeviceConfig { Peers = peers });

        Control.ConfigureDevice(name, new DeviceConfig { Peers = { new PeerConfig { PublicKey = peers[2].PublicKey, Remove = true } } });

        PeerSets.AssertMatches(peers.Where((_, i) => i != 2), Read(name));
    }

    [Fact]
    public void ConfigureDevice_RemoveAbsentPeer_IsNoOp()
    {
        string name = NewDevice();
        var peers = PeerSets.Random(2, withEndpointsAndKeepalive: false);
        Control.ConfigureDevice(name, new DeviceConfig { Peers = peers });

        Control.ConfigureDevice(name, new DeviceConfig { Peers = { new PeerConfig { PublicKey = TestKeys.RandomKey(), Remove = true } } });

        PeerSets.AssertMatches(peers, Read(name));
    }

    [Fact]
    public void ConfigureDevice_ReplaceAllowedIPs_OldPrefixesGone()
    {
        string name = NewDevice();
        var key = TestKeys.RandomKey();
        Control.ConfigureDevice(name, new DeviceConfig
        {
            Peers = { new PeerConfig { PublicKey = key, AllowedIPs = { IPNetwork.Parse("10.5.0.0/24"), IPNetwork.Parse("fd00:5::/64") } } },
        });

        Control.ConfigureDevice(name, new DeviceConfig
        {
            Peers = { new PeerConfig { PublicKey = key, ReplaceAllowedIPs = true, AllowedIPs = { IPNetwork.Parse("10.6.0.1/32") } } },
        });

        var peer = Assert.Single(Read(name).Peers);
        PeerSets.AssertSameNetworks([IPNetwork.Parse("10.6.0.1/32")], peer.AllowedIPs, "after replace");
    }

    [Fact]
    public void ConfigureDevice_AllowedIPsWithoutReplace_AreAdded()
    {
        string name = NewDevice();
        var key = TestKeys.RandomKey();
        Control.ConfigureDevice(name, new DeviceConfig { Peers = { new PeerConfig { PublicKey = key,
            AllowedIPs = { IPNetwork.Parse("10.5.0.0/24") } } } });

        Control.ConfigureDevice(name, new DeviceConfig { Peers = { new PeerConfig { PublicKey = key,
            AllowedIPs = { IPNetwork.Parse("fd00:5::/64") } } } });

        var peer = Assert.Single(Read(name).Peers);
        PeerSets.AssertSameNetworks([IPNetwork.Parse("10.5.0.0/24"), IPNetwork.Parse("fd00:5::/64")], peer.AllowedIPs, "after add");
    }

    [Fact]
    public void ConfigureDevice_AllowedIPClaimedByAnotherPeer_MovesToThatPeer()
    {
        string name = NewDevice();
        var a = new PeerConfig { PublicKey = TestKeys.RandomKey(),
            AllowedIPs = { IPNetwork.Parse("10.7.0.1/32"), IPNetwork.Parse("10.7.0.2/32") } };
        Control.ConfigureDevice(name, new DeviceConfig { Peers = { a } });

        var b = new PeerConfig { PublicKey = TestKeys.RandomKey(), AllowedIPs = { IPNetwork.Parse("10.7.0.2/32") } };
        Control.ConfigureDevice(name, new DeviceConfig { Peers = { b } });

        var device = Read(name);
        PeerSets.AssertSameNetworks([IPNetwork.Parse("10.7.0.1/32")], device.Peers.Single(p => p.PublicKey == a.PublicKey).AllowedIPs,
            "peer a");
        PeerSets.AssertSameNetworks([IPNetwork.Parse("10.7.0.2/32")], device.Peers.Single(p => p.PublicKey == b.PublicKey).AllowedIPs,
            "peer b");
    }

    [Fact]
    public void ConfigureDevice_ReplaceAllowedIPsWithNone_ClearsThem()
    {
        string name = NewDevice();
        var key = TestKeys.RandomKey();
        Control.ConfigureDevice(name, new DeviceConfig { Peers = { new PeerConfig { PublicKey = key,
            AllowedIPs = { IPNetwork.Parse("10.5.0.0/24") } } } });

        Control.ConfigureDevice(name, new DeviceConfig { Peers = { new PeerConfig { PublicKey = key, ReplaceAllowedIPs = true } } });

        Assert.Empty(Assert.Single(Read(name).Peers).AllowedIPs);
    }

    [Fact]
    public void ConfigureDevice_DefaultRoutesAsAllowedIPs_ReadBack()
    {
        string name = NewDevice();
        var peer = new PeerConfig { PublicKey = TestKeys.RandomKey(),
            AllowedIPs = { IPNetwork.Parse("0.0.0.0/0"), IPNetwork.Parse("::/0") } };

        Control.ConfigureDevice(name, new DeviceConfig { Peers = { peer } });

        PeerSets.AssertMatches([peer], Read(name));
    }

    [Fact]
    public void ConfigureDevice_ListenPortTakenByAnotherUpDevice_ThrowsIOExceptionWithEaddrinuse()
    {
        string first = NewDevice();
        string second = NewDevice();
        ushort port = (ushort)Random.Shared.Next(20000, 60000);
        // The kernel binds its UDP socket only while the link is up (a down device just stores the port).
        SetLinkUp(first);
        SetLinkUp(second);
        Control.ConfigureDevice(first, new DeviceConfig { ListenPort = port });

        var e = Assert.ThrowsAny<IOException>(() => Control.ConfigureDevice(second, new DeviceConfig { ListenPort = port }));

        Assert.Equal(Errno.EADDRINUSE, ErrnoOf(e));
        Assert.Equal(port, Read(first).ListenPort);
    }

    /// <summary>The lab namespace the devices live in.</summary>
    protected abstract string DeviceNamespace { get; }

    /// <summary>Sets a device's link up through the library, inside its namespace (no peers, no routes: nothing is sent).</summary>
    protected void SetLinkUp(string name)
    {
        using var route = NetworkNamespace.Run(NetnsLab.NamespacePath(DeviceNamespace),
            () => new Innernet.Netlink.Route.RouteNetlinkClient());
        route.SetLinkUp(route.GetLink(name)?.Index ?? throw new InvalidOperationException($"{name} not in {DeviceNamespace}"));
    }

    /// <summary>The errno a backend's exception carries (NetlinkException / WireGuardUapiException).</summary>
    protected abstract Errno ErrnoOf(IOException exception);

    [Fact]
    public void ConfigureDevice_UpdateOnlyForAbsentPeer_DoesNotCreateIt()
    {
        string name = NewDevice();

        Control.ConfigureDevice(name, new DeviceConfig
        {
            Peers = { new PeerConfig { PublicKey = TestKeys.RandomKey(), UpdateOnly = true,
                AllowedIPs = { IPNetwork.Parse("10.8.0.1/32") } } },
        });

        Assert.Empty(Read(name).Peers);
    }

    [Fact]
    public void ConfigureDevice_UpdateOnlyForExistingPeer_UpdatesIt()
    {
        string name = NewDevice();
        var key = TestKeys.RandomKey();
        Control.ConfigureDevice(name, new DeviceConfig { Peers = { new PeerConfig { PublicKey = key } } });

        var endpoint = new IPEndPoint(IPAddress.Parse("198.18.3.4"), 51820);
        Control.ConfigureDevice(name, new DeviceConfig
        {
            Peers = { new PeerConfig { PublicKey = key, UpdateOnly = true, Endpoint = endpoint, PersistentKeepaliveInterval = 30 } },
        });

        var peer = Assert.Single(Read(name).Peers);
        Assert.Equal(endpoint, peer.Endpoint);
        Assert.Equal(30, peer.PersistentKeepaliveInterval);
    }

    [Fact]
    public void ConfigureDevice_PresharedKeySetThenZero_IsCleared()
    {
        string name = NewDevice();
        var key = TestKeys.RandomKey();
        var psk = TestKeys.RandomKey();

        Control.ConfigureDevice(name, new DeviceConfig { Peers = { new PeerConfig { PublicKey = key, PresharedKey = psk } } });
        Assert.Equal(psk, Assert.Single(Read(name).Peers).PresharedKey);

        Control.ConfigureDevice(name, new DeviceConfig { Peers = { new PeerConfig { PublicKey = key } } });
        Assert.Equal(psk, Assert.Single(Read(name).Peers).PresharedKey); // null leaves it

        Control.ConfigureDevice(name, new DeviceConfig { Peers = { new PeerConfig { PublicKey = key,
            PresharedKey = WireGuardKey.Zero } } });
        Assert.Null(Assert.Single(Read(name).Peers).PresharedKey);
    }

    [Fact]
    public void ConfigureDevice_EndpointChangeAndKeepaliveOff_ReadBack()
    {
        string name = NewDevice();
        var key = TestKeys.RandomKey();
        Control.ConfigureDevice(name, new DeviceConfig
        {
            Peers = { new PeerConfig { PublicKey = key, Endpoint = new IPEndPoint(IPAddress.Parse("198.18.9.9"), 1000),
                PersistentKeepaliveInterval = 25 } },
        });

        var v6 = new IPEndPoint(IPAddress.Parse("fd00:9::9"), 65535);
        Control.ConfigureDevice(name, new DeviceConfig { Peers = { new PeerConfig { PublicKey = key, Endpoint = v6,
            PersistentKeepaliveInterval = 0 } } });

        var peer = Assert.Single(Read(name).Peers);
        Assert.Equal(v6, peer.Endpoint);
        Assert.Equal(0, peer.PersistentKeepaliveInterval);
    }

    [Fact]
    public void ConfigureDevice_ReplacePeers_OnlyNewPeersRemain()
    {
        string name = NewDevice();
        var keys = TestKeys.NewKeyPair();
        Control.ConfigureDevice(name, new DeviceConfig { PrivateKey = keys.PrivateKey,
            Peers = PeerSets.Random(50, withEndpointsAndKeepalive: true) });

        var replacement = PeerSets.Random(3, withEndpointsAndKeepalive: true, firstHost: 1000);
        Control.ConfigureDevice(name, new DeviceConfig { ReplacePeers = true, Peers = replacement });

        var device = Read(name);
        PeerSets.AssertMatches(replacement, device);
        Assert.Equal(keys.PrivateKey, device.PrivateKey);
    }

    [Fact]
    public void ConfigureDevice_ReplacePeersWithNone_RemovesAll()
    {
        string name = NewDevice();
        Control.ConfigureDevice(name, new DeviceConfig { Peers = PeerSets.Random(20, withEndpointsAndKeepalive: false) });

        Control.ConfigureDevice(name, new DeviceConfig { ReplacePeers = true });

        Assert.Empty(Read(name).Peers);
    }

    [Fact]
    public void ConfigureDevice_MissingDevice_ThrowsEnodev()
    {
        RequirePrerequisites();

        Assert.Equal(Errno.ENODEV, Assert.Throws<NetlinkException>(() =>
            Control.ConfigureDevice(Lab.InterfaceName("none"), new DeviceConfig { ListenPort = 1 })).Errno);
    }

    [Fact]
    public void ConfigureDevice_Peers_WgShowDumpAgrees()
    {
        string name = NewDevice();
        var keys = TestKeys.NewKeyPair();
        var peers = PeerSets.Random(6, withEndpointsAndKeepalive: true);
        peers[0].PresharedKey = TestKeys.RandomKey();
        peers[1].AllowedIPs.Add(IPNetwork.Parse("fd00:77::/48"));
        Control.ConfigureDevice(name, new DeviceConfig { PrivateKey = keys.PrivateKey, ListenPort = 40000, Peers = peers });

        // wg(8) as an independent reader: "private public port fwmark", then one line per peer
        // "public psk endpoint allowed-ips handshake rx tx keepalive".
        string[] lines = WgShowDump(name).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string[] head = lines[0].Split('\t');
        Assert.Equal(keys.PrivateKey.ToBase64(), head[0]);
        Assert.Equal(keys.PublicKey.ToBase64(), head[1]);
        Assert.Equal("40000", head[2]);
        Assert.Equal(peers.Count, lines.Length - 1);
        foreach (var line in lines.Skip(1))
        {
            string[] f = line.Split('\t');
            var config = peers.Single(p => p.PublicKey.ToBase64() == f[0]);
            Assert.Equal(config.PresharedKey?.ToBase64() ?? "(none)", f[1]);
            Assert.Equal(config.Endpoint?.ToString() ?? "(none)", f[2]);
            Assert.Equal(
                config.AllowedIPs.Select(n => n.ToString()).Order(StringComparer.Ordinal),
                f[3].Split(',').Order(StringComparer.Ordinal));
            string keepalive = config.PersistentKeepaliveInterval is null or 0
                ? "off"
                : config.PersistentKeepaliveInterval.Value.ToString(CultureInfo.InvariantCulture);
            Assert.Equal(keepalive, f[7]);
        }
    }

    /// <summary>Runs <c>wg show NAME dump</c> where the device lives.</summary>
    protected abstract string WgShowDump(string name);

    /// <summary>Whether this backend, here, removes single allowed IPs (else the client's read-modify-write fallback).</summary>
    protected abstract bool RemovesSingleAllowedIPsHere { get; }

    /// <summary>A peer's allowed IPs as <c>wg show dump</c> prints them (sorted).</summary>
    private List<string> WgAllowedIPs(string name, WireGuardKey peer) =>
        WgShowDump(name).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split('\t'))
            .Single(f => f[0] == peer.ToBase64())[3]
            .Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Order(StringComparer.Ordinal)
            .ToList();

    [Fact]
    public void ConfigureDevice_RemoveAllowedIPs_LeavesExactlyTheRest_OnTheProbedPath()
    {
        string name = NewDevice();
        WireGuardKey peer = TestKeys.NewKeyPair().PublicKey;
        WireGuardKey other = TestKeys.NewKeyPair().PublicKey;
        Control.ConfigureDevice(name, new DeviceConfig
        {
            Peers =
            {
                new PeerConfig { PublicKey = peer, AllowedIPs = { Net("10.60.0.1/32"), Net("10.60.0.2/32"), Net("fd60::1/128") } },
                new PeerConfig { PublicKey = other, AllowedIPs = { Net("10.61.0.0/24") } },
            },
        });
        Assert.Null(Control.RemovesSingleAllowedIPs(name));

        // 10.61.0.0/24 belongs to the other peer: removing it from this one must not take it from there.
        Control.ConfigureDevice(name, new DeviceConfig
        {
            Peers =
            {
                new PeerConfig
                {
                    PublicKey = peer,
                    RemoveAllowedIPs = { Net("10.60.0.2/32"), Net("10.61.0.0/24") },
                    AllowedIPs = { Net("10.60.0.3/32") },
                },
            },
        });

        Assert.Equal(RemovesSingleAllowedIPsHere, Control.RemovesSingleAllowedIPs(name));
        Assert.Equal(["10.60.0.1/32", "10.60.0.3/32", "fd60::1/128"], WgAllowedIPs(name, peer));
        Assert.Equal(["10.61.0.0/24"], WgAllowedIPs(name, other));

        // The second change uses what the probe found.
        Control.ConfigureDevice(name, new DeviceConfig
        {
            Peers = { new PeerConfig { PublicKey = peer, UpdateOnly = true, RemoveAllowedIPs = { Net("fd60::1/128") } } },
        });
        Assert.Equal(["10.60.0.1/32", "10.60.0.3/32"], WgAllowedIPs(name, peer));
        Assert.Equal(2, Read(name).Peers.Count);
    }

    private static IPNetwork Net(string cidr) => IPNetwork.Parse(cidr);

    [Fact]
    public void DeleteDevice_Existing_GoneAndSecondDeleteReturnsFalse()
    {
        string name = NewDevice();

        Assert.True(Control.DeleteDevice(name));

        Assert.Null(Control.GetDevice(name));
        Assert.DoesNotContain(name, Control.ListDevices());
        Assert.False(Control.DeleteDevice(name));
    }

    [Fact]
    public void GetDevice_MissingName_ReturnsNull()
    {
        RequirePrerequisites();

        Assert.Null(Control.GetDevice(Lab.InterfaceName("none")));
    }

    [Theory]
    [InlineData("list-get")]
    [InlineData("create")]
    [InlineData("configure")]
    [InlineData("delete")]
    public void Operation_SixteenByteName_ThrowsArgumentException(string operation)
    {
        RequirePrerequisites();
        const string name = "abcdefghijklmnop";

        Action act = operation switch
        {
            "list-get" => () => Control.GetDevice(name),
            "create" => () => Control.CreateDevice(name),
            "configure" => () => Control.ConfigureDevice(name, new DeviceConfig()),
            _ => () => Control.DeleteDevice(name),
        };

        Assert.Throws<ArgumentException>(act);
    }
}
