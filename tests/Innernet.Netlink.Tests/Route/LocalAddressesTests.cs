using System.Net.NetworkInformation;
using Innernet.Netlink.Interop;
using Innernet.Netlink.Route;

namespace Innernet.Netlink.Tests.Route;

public class LocalAddressesTests
{
    private static readonly LinkInfo Loopback = Link(1, "lo", null, LinuxIfLink.IFF_LOOPBACK | LinuxIfLink.IFF_UP,
        OperationalStatus.Unknown);
    private static readonly LinkInfo Eth = Link(2, "eth0", null, LinuxIfLink.IFF_UP, OperationalStatus.Up);
    private static readonly LinkInfo Down = Link(3, "eth1", null, 0, OperationalStatus.Down);
    private static readonly LinkInfo Wg = Link(4, "wg0", "wireguard", LinuxIfLink.IFF_UP, OperationalStatus.Unknown);

    private static LinkInfo Link(int index, string name, string? kind, uint flags, OperationalStatus status) =>
        new() { Index = index, Name = name, Kind = kind, Flags = flags, Mtu = 1500, OperationalStatus = status };

    private static AddressEntry A(int index, string cidr, byte scope = 0) => new(index, scope, 0, InterfaceAddress.Parse(cidr), null);

    [Fact]
    public void Select_AppliesInnernetRules()
    {
        List<IPAddress> result = LocalAddresses.Select(
            [Loopback, Eth, Down, Wg],
            [
                A(1, "127.0.0.1/8", LinuxRtnetlink.RT_SCOPE_HOST),
                A(2, "198.18.0.5/24"),                 // kept: v4 on an UP link
                A(3, "198.18.1.5/24"),                 // dropped: link down
                A(4, "10.66.0.1/16"),                  // dropped: wireguard operstate UNKNOWN
                A(2, "2606:4700::1/64"),               // kept: global unicast v6
                A(3, "2a00:1450::5/64"),               // kept: v6 is taken from any link
                A(2, "fe80::1/64", LinuxRtnetlink.RT_SCOPE_LINK),
                A(2, "fd00::1/64"),                    // dropped: ULA
                A(2, "2001:db8::1/64"),                // dropped: documentation
                A(1, "::1/128", LinuxRtnetlink.RT_SCOPE_HOST),
            ]);

        Assert.Equal(["198.18.0.5", "2606:4700::1", "2a00:1450::5"], result.Select(a => a.ToString()));
    }

    [Fact]
    public void Select_ManyAddresses_KeepsAllInOrder_NoCapInTheLibrary()
    {
        var addresses = Enumerable.Range(1, 15).Select(i => A(2, $"198.18.0.{i}/24")).ToList();
        Assert.Equal(addresses.Select(a => a.Address.Address), LocalAddresses.Select([Eth], addresses));
    }

    [Theory]
    [InlineData("2606:4700::1", true)]
    [InlineData("ff02::1", false)]
    [InlineData("::", false)]
    [InlineData("::1", false)]
    [InlineData("fe80::1", false)]
    [InlineData("febf::1", false)]
    [InlineData("fc00::1", false)]
    [InlineData("fdff::1", false)]
    [InlineData("2001:db8:ffff::1", false)]
    [InlineData("2001:db9::1", true)]
    public void IsGlobalUnicastV6(string address, bool expected) =>
        Assert.Equal(expected, LocalAddresses.IsGlobalUnicastV6(IPAddress.Parse(address)));
}
