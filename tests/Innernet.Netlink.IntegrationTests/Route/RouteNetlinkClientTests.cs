using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Innernet.Netlink;
using Innernet.Netlink.Route;
using Innernet.Testing;

namespace Innernet.Netlink.IntegrationTests.Route;

/// <summary>
/// rtnetlink against the host kernel, inside a lab namespace: a tun (made with <c>ip tuntap</c>) and a
/// veth. <c>ip -j</c> inside the same namespace is the independent reader.
/// </summary>
[Trait(Layers.Name, Layers.Host)]
public sealed class RouteNetlinkClientTests : IDisposable
{
    // linux/if.h, spelled out here so the tests do not read the library's own constants.
    private const uint IFF_UP = 0x1;
    private const uint IFF_POINTOPOINT = 0x10;
    private const uint IFF_NOARP = 0x80;
    private const uint IFF_MULTICAST = 0x1000;
    private const int EEXIST = 17;
    private const int EOPNOTSUPP = 95;

    private readonly NetnsLab _lab = new();
    private string _ns = string.Empty;
    private string _peerNs = string.Empty;
    private string _tun = string.Empty;
    private string _veth = string.Empty;
    private RouteNetlinkClient? _client;

    public void Dispose()
    {
        _client?.Dispose();
        _lab.Dispose();
    }

    private RouteNetlinkClient Client
    {
        get
        {
            if (_client is null)
            {
                Prerequisites.RequireRoot();
                Prerequisites.RequireTun();
                _ns = _lab.AddNamespace("r");
                _peerNs = _lab.AddNamespace("p");
                _tun = _lab.InterfaceName("tun");
                _lab.AddTun(_ns, _tun);
                (_veth, _) = _lab.AddVethPair(_ns, _peerNs);
                _client = NetworkNamespace.Run(NetnsLab.NamespacePath(_ns), () => new RouteNetlinkClient());
            }

            return _client;
        }
    }

    private string Tun => Ready(ref _tun);

    private string Veth => Ready(ref _veth);

    private string Ns => Ready(ref _ns);

    private string PeerNs => Ready(ref _peerNs);

    /// <summary>Names are only known once the lab exists; touching one creates it (after the prerequisites).</summary>
    private string Ready(ref string field)
    {
        _ = Client;
        return field;
    }

    private int Index(string name) => Client.GetLink(name)?.Index ?? throw new InvalidOperationException($"{name} missing");

    private JsonElement IpJson(params string[] args)
    {
        string json = _lab.Exec(Ns, "ip", ["-j", .. args]).EnsureSuccess().StandardOutput;
        return JsonDocument.Parse(string.IsNullOrWhiteSpace(json) ? "[]" : json).RootElement;
    }

    [Fact]
    public void GetLinks_LabNamespace_ListsExactlyItsLinks()
    {
        var links = Client.GetLinks();

        var expected = IpJson("link", "show").EnumerateArray()
            .Select(l => (l.GetProperty("ifindex").GetInt32(), l.GetProperty("ifname").GetString()))
            .Order().ToList();
        Assert.Equal(expected, links.Select(l => (l.Index, (string?)l.Name)).Order().ToList());
        Assert.Contains(links, l => l.Name == "lo" && l.Index == 1);
        Assert.Contains(links, l => l.Name == Tun && l.Kind == "tun");
        Assert.Contains(links, l => l.Name == Veth && l.Kind == "veth" && l.IsUp);
    }

    [Fact]
    public void GetLink_ByNameAndByIndex_AgreeWithIp()
    {
        var byName = Client.GetLink(Veth);
        Assert.NotNull(byName);
        var byIndex = Client.GetLink(byName.Index);

        Assert.NotNull(byIndex);
        Assert.Equal(Fields(byName), Fields(byIndex));
        var ip = IpJson("link", "show", Veth)[0];
        Assert.Equal(ip.GetProperty("ifindex").GetInt32(), byName.Index);
        Assert.Equal(ip.GetProperty("mtu").GetInt32(), byName.Mtu);
    }

    [Fact]
    public void GetLink_Missing_ReturnsNull()
    {
        Assert.Null(Client.GetLink(_lab.InterfaceName("nope")));
        Assert.Null(Client.GetLink(999_999));
    }

    [Fact]
    public void GetLink_NameInAnotherNamespace_ReturnsNull()
    {
        string otherTun = _lab.InterfaceName("tun2");
        _lab.AddTun(PeerNs, otherTun);

        Assert.Null(Client.GetLink(otherTun));
    }

    [Fact]
    public void SetLinkUp_Tun_KeepsNoArpAndMulticastFlags()
    {
        int index = Index(Tun);
        uint before = Client.GetLink(index)!.Flags;
        Assert.Equal(IFF_POINTOPOINT | IFF_NOARP | IFF_MULTICAST, before & (IFF_POINTOPOINT | IFF_NOARP | IFF_MULTICAST));

        Client.SetLinkUp(index);
        var up = Client.GetLink(index)!;
        Client.SetLinkUp(index, up: false);
        var down = Client.GetLink(index)!;

        Assert.True(up.IsUp);
        Assert.Equal(before | IFF_UP, up.Flags & ~0x10000u & ~0x40u); // minus IFF_LOWER_UP/IFF_RUNNING, which follow carrier
        Assert.False(down.IsUp);
        Assert.Equal(before, down.Flags);
        Assert.Contains("NOARP", IpJson("link", "show", Tun)[0].GetProperty("flags").ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void SetMtu_Veth_IsApplied()
    {
        int index = Index(Veth);

        Client.SetMtu(index, 1280);

        Assert.Equal(1280, Client.GetLink(index)!.Mtu);
        Assert.Equal(1280, IpJson("link", "show", Veth)[0].GetProperty("mtu").GetInt32());
    }

    [Fact]
    public void SetMtu_BelowMinimum_ThrowsNetlinkException()
    {
        int index = Index(Veth);

        var e = Assert.Throws<NetlinkErrorException>(() => Client.SetMtu(index, 10));

        Assert.Equal(Errno.EINVAL, e.Errno); // EINVAL
    }

    [Theory]
    [InlineData("tun", "10.50.0.1/24")]
    [InlineData("tun", "fd00:50::1/64")]
    [InlineData("veth", "198.18.50.1/24")]
    [InlineData("veth", "fd00:51::1/64")]
    public void AddAddress_ThenDelete_VisibleAndGone(string which, string cidr)
    {
        string name = which == "tun" ? Tun : Veth;
        int index = Index(name);
        var address = InterfaceAddress.Parse(cidr);

        Client.AddAddress(index, address);

        Assert.Contains(address, Client.GetAddresses(index));
        Assert.Contains(address, Client.GetAddresses(null));
        Assert.Contains(IpJson("address", "show", "dev", name)[0].GetProperty("addr_info").EnumerateArray(),
            a => a.GetProperty("local").GetString() == address.Address.ToString()
                && a.GetProperty("prefixlen").GetInt32() == address.PrefixLength);

        Assert.True(Client.DeleteAddress(index, address));
        Assert.DoesNotContain(address, Client.GetAddresses(index));
        Assert.False(Client.DeleteAddress(index, address));
    }

    [Fact]
    public void GetAddresses_OneIndex_OnlyThatInterface()
    {
        int tun = Index(Tun);
        int veth = Index(Veth);
        Client.AddAddress(tun, InterfaceAddress.Parse("10.52.0.1/24"));
        Client.AddAddress(veth, InterfaceAddress.Parse("198.18.52.1/24"));

        Assert.Equal([InterfaceAddress.Parse("10.52.0.1/24")], Client.GetAddresses(tun).Where(a =>
            a.Address.AddressFamily == AddressFamily.InterNetwork));
        Assert.DoesNotContain(InterfaceAddress.Parse("10.52.0.1/24"), Client.GetAddresses(veth));
    }

    [Fact]
    public void AddAddress_Duplicate_ThrowsEexistWithExtack()
    {
        int index = Index(Tun);
        var address = InterfaceAddress.Parse("10.53.0.1/24");
        Client.AddAddress(index, address);

        var e = Assert.Throws<NetlinkErrorException>(() => Client.AddAddress(index, address));

        Assert.Equal(Errno.EEXIST, e.Errno);
        Assert.Equal("EEXIST", e.ErrorName);
        Assert.Contains("Address already assigned", e.ExtendedAckMessage ?? string.Empty, StringComparison.Ordinal);
        Assert.Contains("Address already assigned", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReplaceAddress_ExistingOrNew_IsIdempotent()
    {
        int index = Index(Tun);
        var address = InterfaceAddress.Parse("10.54.0.1/24");
        var address6 = InterfaceAddress.Parse("fd00:54::1/64");

        Client.ReplaceAddress(index, address);
        Client.ReplaceAddress(index, address);
        Client.ReplaceAddress(index, address6);
        Client.ReplaceAddress(index, address6);

        Assert.Single(Client.GetAddresses(index), a => a == address);
        Assert.Single(Client.GetAddresses(index), a => a == address6);
    }

    [Fact]
    public void AddRoute_NewThenExisting_ReturnsTrueThenFalse()
    {
        int index = Index(Tun);
        Client.SetLinkUp(index);
        var network = IPNetwork.Parse("10.60.0.0/24");

        Assert.True(Client.AddRoute(network, index));
        Assert.False(Client.AddRoute(network, index));

        Assert.Contains(Client.GetRoutes(AddressFamily.InterNetwork), r => r.Destination == network && r.OutputInterfaceIndex == index);
        Assert.Contains(IpJson("route", "show", "dev", Tun).EnumerateArray(), r => r.GetProperty("dst").GetString() == "10.60.0.0/24");
    }

    [Fact]
    public void AddRoute_IPv6_ListedAndDeleted()
    {
        int index = Index(Tun);
        Client.SetLinkUp(index);
        var network = IPNetwork.Parse("fd00:60::/64");

        Assert.True(Client.AddRoute(network, index));

        Assert.Contains(Client.GetRoutes(AddressFamily.InterNetworkV6), r => r.Destination == network && r.OutputInterfaceIndex == index);
        Assert.DoesNotContain(Client.GetRoutes(AddressFamily.InterNetwork), r => r.Destination == network);
        Assert.True(Client.DeleteRoute(network, index));
        Assert.DoesNotContain(Client.GetRoutes(AddressFamily.InterNetworkV6), r => r.Destination == network);
    }

    [Fact]
    public void DeleteRoute_Existing_TrueThenMissing_False()
    {
        int index = Index(Tun);
        Client.SetLinkUp(index);
        var network = IPNetwork.Parse("10.61.0.0/16");
        Client.AddRoute(network, index);

        Assert.True(Client.DeleteRoute(network, index));
        Assert.False(Client.DeleteRoute(network, index)); // ESRCH
        Assert.DoesNotContain(Client.GetRoutes(AddressFamily.InterNetwork), r => r.Destination == network);
    }

    [Fact]
    public void AddRoute_HostBitsInInterfaceAddress_RouteIsMasked()
    {
        int index = Index(Tun);
        Client.SetLinkUp(index);
        var unmasked = InterfaceAddress.Parse("10.62.3.4/16");

        Assert.True(Client.AddRoute(unmasked.Network, index));

        Assert.Contains(Client.GetRoutes(AddressFamily.InterNetwork), r => r.Destination.ToString() == "10.62.0.0/16");
        Assert.Contains(IpJson("route", "show", "dev", Tun).EnumerateArray(), r => r.GetProperty("dst").GetString() == "10.62.0.0/16");
    }

    [Fact]
    public void GetRoutes_AfterAddressAdd_ContainsKernelPrefixRoute()
    {
        int index = Index(Veth);
        Client.AddAddress(index, InterfaceAddress.Parse("198.18.63.1/24"));

        Assert.Contains(Client.GetRoutes(AddressFamily.InterNetwork), r => r.Destination == IPNetwork.Parse("198.18.63.0/24")
            && r.OutputInterfaceIndex == index);
    }

    [Fact]
    public void GetLocalAddresses_LabNamespace_KeepsIPv4OnUpLinksDropsDownLoopbackAndUniqueLocal()
    {
        int tun = Index(Tun);
        int veth = Index(Veth);
        Client.SetLinkUp(tun); // admin up, but no reader: operstate stays DOWN
        Client.AddAddress(tun, InterfaceAddress.Parse("10.64.0.1/24"));
        Client.AddAddress(veth, InterfaceAddress.Parse("198.18.64.1/24"));
        Client.AddAddress(veth, InterfaceAddress.Parse("fd00:64::1/64"));
        WaitForOperState(Veth, "UP");

        var local = Client.GetLocalAddresses();

        Assert.Contains(IPAddress.Parse("198.18.64.1"), local);
        Assert.DoesNotContain(IPAddress.Parse("10.64.0.1"), local);     // link not operationally up
        Assert.DoesNotContain(IPAddress.Loopback, local);                // loopback
        Assert.DoesNotContain(IPAddress.Parse("fd00:64::1"), local);     // unique local, not global unicast
        Assert.DoesNotContain(local, a => a.IsIPv6LinkLocal);
        Assert.Equal(local.Count, local.Distinct().Count());
    }

    private void WaitForOperState(string name, string state)
    {
        Eventually.True(() => IpJson("link", "show", name)[0].GetProperty("operstate").GetString() == state,
            $"{name} to be operationally {state}", TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void CreateWireGuardLink_HostKernel_MatchesModuleAvailability()
    {
        string name = _lab.InterfaceName("wgk");
        _ = Client;

        if (Directory.Exists("/sys/module/wireguard"))
        {
            // A host with the module (not the CI machine kind): creation must work, in the lab namespace only.
            var link = Client.CreateWireGuardLink(name);
            Assert.Equal("wireguard", link.Kind);
            Assert.Equal(Fields(link), Fields(Client.GetLink(name)!));
            Assert.Contains(Client.GetWireGuardLinks(), l => l.Name == name);
            Assert.True(Client.DeleteLink(name));
            return;
        }

        var e = Assert.Throws<NetlinkErrorException>(() => Client.CreateWireGuardLink(name));
        Assert.Equal(Errno.EOPNOTSUPP, e.Errno);
        Assert.Contains("Unknown device type", e.ExtendedAckMessage ?? e.Message, StringComparison.Ordinal);
        Assert.Null(Client.GetLink(name));
        Assert.Empty(Client.GetWireGuardLinks());
    }

    [Fact]
    public void DeleteLink_ByNameAndByIndex_TrueThenFalse()
    {
        string second = _lab.InterfaceName("tun3");
        _lab.AddTun(Ns, second);
        int index = Index(second);

        Assert.True(Client.DeleteLink(Tun));
        Assert.False(Client.DeleteLink(Tun));
        Assert.True(Client.DeleteLink(index));
        Assert.False(Client.DeleteLink(index));
        Assert.Null(Client.GetLink(second));
    }

    private static (int, string, string?, uint, int, System.Net.NetworkInformation.OperationalStatus) Fields(LinkInfo link) =>
        (link.Index, link.Name, link.Kind, link.Flags, link.Mtu, link.OperationalStatus);
}
