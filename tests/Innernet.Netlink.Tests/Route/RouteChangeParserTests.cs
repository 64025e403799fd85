using System.Net.NetworkInformation;
using Innernet.Netlink.Route;
using Innernet.Netlink.Tests.Support;

namespace Innernet.Netlink.Tests.Route;

/// <summary>Notifications of the link, address and route groups, hand-assembled from linux/rtnetlink.h, decoded.</summary>
public class RouteChangeParserTests
{
    private const string DelLinkDummy0 =
        "44000000 [len 68] 1100 [RTM_DELLINK] 0000 [flags] 00000000 [seq] 00000000 [pid]"
        + " 00 00 0100 [ARPHRD_ETHER] 07000000 [index 7] 02100000 [flags BROADCAST|MULTICAST] ffffffff [change]"
        + " 0b00 0300 64756d6d793000 00 [IFLA_IFNAME \"dummy0\\0\" + pad]"
        + " 0800 0400 dc050000 [IFLA_MTU 1500]"
        + " 1000 1280 [IFLA_LINKINFO |NESTED] 0a00 0100 64756d6d7900 0000 [IFLA_INFO_KIND \"dummy\\0\" + pad]";

    private const string NewAddr10123 =
        "34000000 [len 52] 1400 [RTM_NEWADDR] 0000 00000000 00000000"
        + " 02 [AF_INET] 18 [/24] 80 [IFA_F_PERMANENT] 00 [scope universe] 07000000 [index 7]"
        + " 0800 0100 0a010203 [IFA_ADDRESS] 0800 0200 0a010203 [IFA_LOCAL]"
        + " 0b00 0300 64756d6d793000 00 [IFA_LABEL \"dummy0\\0\" + pad]";

    private const string DelAddrFd005 =
        "2c000000 [len 44] 1500 [RTM_DELADDR] 0000 00000000 00000000"
        + " 0a [AF_INET6] 40 [/64] 80 fd [scope link] 07000000"
        + " 1400 0100 fd000000000000000000000000000005 [IFA_ADDRESS fd00::5]";

    private const string NewRoute1090 =
        "34000000 [len 52] 1800 [RTM_NEWROUTE] 0000 00000000 00000000"
        + " 02 [AF_INET] 10 [dst_len 16] 00 00 fe [main] 04 [RTPROT_STATIC] fd [scope link] 01 [unicast] 00000000"
        + " 0800 0f00 fe000000 [RTA_TABLE 254] 0800 0100 0a090000 [RTA_DST 10.9.0.0] 0800 0400 07000000 [RTA_OIF 7]";

    private const string DelRouteFd01 =
        "40000000 [len 64] 1900 [RTM_DELROUTE] 0000 00000000 00000000"
        + " 0a [AF_INET6] 40 [dst_len 64] 00 00 fe 03 [RTPROT_BOOT] 00 [universe] 01 00000000"
        + " 0800 0f00 fe000000 [RTA_TABLE] 1400 0100 fd010000000000000000000000000000 [RTA_DST fd01::] 0800 0400 07000000 [RTA_OIF]";

    [Fact]
    public void DelLink_IsARemovedLinkWithItsLastState()
    {
        var change = Assert.IsType<LinkChange>(RouteMessages.ParseChange(Hex.Parse(DelLinkDummy0)));

        Assert.Equal(RouteChangeKind.Removed, change.Kind);
        Assert.Equal(7, change.Link.Index);
        Assert.Equal("dummy0", change.Link.Name);
        Assert.Equal("dummy", change.Link.Kind);
        Assert.Equal(1500, change.Link.Mtu);
        Assert.Equal(0x1002u, change.Link.Flags);
        Assert.Equal(OperationalStatus.Unknown, change.Link.OperationalStatus);
    }

    [Fact]
    public void NewLink_IsAnAddedLink()
    {
        byte[] message = Hex.Parse(DelLinkDummy0);
        message[4] = 0x10; // RTM_NEWLINK

        var change = Assert.IsType<LinkChange>(RouteMessages.ParseChange(message));

        Assert.Equal(RouteChangeKind.Added, change.Kind);
        Assert.Equal("dummy0", change.Link.Name);
    }

    [Fact]
    public void NewAddr_IPv4_CarriesIndexPrefixScopeAndLabel()
    {
        var change = Assert.IsType<AddressChange>(RouteMessages.ParseChange(Hex.Parse(NewAddr10123)));

        Assert.Equal(RouteChangeKind.Added, change.Kind);
        Assert.Equal(7, change.InterfaceIndex);
        Assert.Equal(new InterfaceAddress(IPAddress.Parse("10.1.2.3"), 24), change.Address);
        Assert.Equal(0, change.Scope);
        Assert.Equal("dummy0", change.Label);
    }

    [Fact]
    public void DelAddr_IPv6_IsARemovedAddress()
    {
        var change = Assert.IsType<AddressChange>(RouteMessages.ParseChange(Hex.Parse(DelAddrFd005)));

        Assert.Equal(RouteChangeKind.Removed, change.Kind);
        Assert.Equal(new InterfaceAddress(IPAddress.Parse("fd00::5"), 64), change.Address);
        Assert.Equal(253, change.Scope);
        Assert.Null(change.Label);
    }

    [Theory]
    [InlineData(NewRoute1090, RouteChangeKind.Added, "10.9.0.0/16", 4, 253)]
    [InlineData(DelRouteFd01, RouteChangeKind.Removed, "fd01::/64", 3, 0)]
    public void RouteNotification_CarriesKindDestinationDeviceTableProtocolAndScope(
        string hex, RouteChangeKind kind, string destination, int protocol, int scope)
    {
        var change = Assert.IsType<RouteChange>(RouteMessages.ParseChange(Hex.Parse(hex)));

        Assert.Equal(kind, change.Kind);
        Assert.Equal(IPNetwork.Parse(destination), change.Route.Destination);
        Assert.Equal((7, 254, protocol, scope, 1),
            (change.Route.OutputInterfaceIndex, change.Route.Table, change.Route.Protocol, change.Route.Scope, change.Route.Type));
    }

    [Fact]
    public void OtherTypesAndFamilies_AreNotReported()
    {
        byte[] neighbour = Hex.Parse(NewAddr10123);
        neighbour[4] = 0x1c; // RTM_NEWNEIGH
        byte[] multicastRoute = Hex.Parse(NewRoute1090);
        multicastRoute[16] = 0x80; // RTNL_FAMILY_IPMR

        Assert.Null(RouteMessages.ParseChange(neighbour));
        Assert.Null(RouteMessages.ParseChange(multicastRoute));
    }

    [Theory]
    [InlineData(RouteChangeGroups.None, 1, null)]
    [InlineData((RouteChangeGroups)64, 1, null)]
    [InlineData(RouteChangeGroups.Links, 0, null)]
    [InlineData(RouteChangeGroups.Links, 1, 0)]
    public void Open_InvalidArguments_ThrowBeforeOpeningASocket(RouteChangeGroups groups, int capacity, int? buffer) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => RouteChangeSubscription.Open(groups, capacity, buffer));

    [Fact]
    public void TruncatedAttribute_ThrowsProtocolException()
    {
        byte[] message = Hex.Parse(NewAddr10123);
        message[24] = 0x40; // IFA_ADDRESS claims 64 bytes in a 52-byte message

        Assert.ThrowsAny<NetlinkProtocolException>(() => RouteMessages.ParseChange(message));
    }
}
