using Innernet.Netlink;
using Innernet.Netlink.Interop;
using Innernet.Netlink.Protocol;
using Innernet.Netlink.Route;
using Innernet.Netlink.Sockets;
using Innernet.Netlink.Tests.Support;

namespace Innernet.Netlink.Tests.Route;

public class RouteNetlinkClientTests
{
    private const uint Port = 777;

    private static (RouteNetlinkClient Client, FakeKernel Kernel) Create(Func<byte[], uint, IEnumerable<byte[]>> respond)
    {
        var kernel = new FakeKernel(Port) { Respond = (req, _) => respond(req, FakeKernel.SequenceOf(req)) };
        return (new RouteNetlinkClient(new NetlinkConnection(kernel)), kernel);
    }

    [Fact]
    public void GetLink_Enodev_ReturnsNull()
    {
        var (client, _) = Create((req, _) => [Replies.Error(req, Port, -19, capped: true)]);
        using (client)
        {
            Assert.Null(client.GetLink("nope0"));
        }
    }

    [Fact]
    public void GetLink_ReturnsTheLinkBeforeTheAck()
    {
        var (client, kernel) = Create((req, seq) =>
            [Replies.Datagram(RouteMessagesTests.Link(4, "wg0", "wireguard", 0, 1420, 0, Port, seq), Replies.Ack(req, Port))]);
        using (client)
        {
            Assert.Equal("wg0", client.GetLink("wg0")!.Name);
            Assert.Equal(LinuxRtnetlink.RTM_GETLINK, NlMsgHeader.Read(kernel.Sent[0]).Type);
        }
    }

    [Fact]
    public void GetWireGuardLinks_FiltersByKindAcrossDumpMessages()
    {
        var (client, _) = Create((_, seq) =>
        [
            Replies.Datagram(
                RouteMessagesTests.Link(1, "lo", null, LinuxIfLink.IFF_LOOPBACK | LinuxIfLink.IFF_UP, 65536, 0, Port, seq),
                RouteMessagesTests.Link(2, "wg0", "wireguard", 0, 1420, 0, Port, seq)),
            Replies.Datagram(RouteMessagesTests.Link(3, "veth0", "veth", 0, 1500, 6, Port, seq), Replies.Done(seq, Port)),
        ]);
        using (client)
        {
            Assert.Equal(["lo", "wg0", "veth0"], client.GetLinks().Select(l => l.Name));
            Assert.Equal(["wg0"], client.GetWireGuardLinks().Select(l => l.Name));
        }
    }

    [Fact]
    public void CreateWireGuardLink_Unsupported_PropagatesErrnoAndExtack()
    {
        var (client, _) = Create((req, _) => [Replies.Error(req, Port, -95, capped: true, extack: "Unknown device type")]);
        using (client)
        {
            var e = Assert.Throws<NetlinkErrorException>(() => client.CreateWireGuardLink("wg9"));
            Assert.Equal("EOPNOTSUPP", e.ErrorName);
            Assert.Equal("Unknown device type", e.ExtendedAckMessage);
        }
    }

    [Fact]
    public void CreateWireGuardLink_Exists_ThrowsEexist()
    {
        var (client, _) = Create((req, _) => [Replies.Error(req, Port, -17, capped: true)]);
        using (client)
        {
            Assert.Equal(Errno.EEXIST, Assert.Throws<NetlinkErrorException>(() => client.CreateWireGuardLink("wg9")).Errno);
        }
    }

    [Theory]
    [InlineData("dellink", -19)]
    [InlineData("addroute", -17)]
    [InlineData("delroute", -3)]
    [InlineData("deladdr", -99)]
    public void BenignErrors_ReturnFalse(string operation, int error)
    {
        var (client, _) = Create((req, _) => [Replies.Error(req, Port, error, capped: true)]);
        using (client)
        {
            var network = IPNetwork.Parse("10.1.0.0/16");
            bool result = operation switch
            {
                "dellink" => client.DeleteLink("wg9"),
                "addroute" => client.AddRoute(network, 3),
                "delroute" => client.DeleteRoute(network, 3),
                _ => client.DeleteAddress(3, InterfaceAddress.Parse("10.1.0.1/16")),
            };
            Assert.False(result);
        }
    }

    [Fact]
    public void Mutations_Acked_ReturnTrue()
    {
        var (client, kernel) = Create((req, _) => [Replies.Ack(req, Port)]);
        using (client)
        {
            Assert.True(client.AddRoute(IPNetwork.Parse("10.1.0.0/16"), 3));
            Assert.True(client.DeleteRoute(IPNetwork.Parse("10.1.0.0/16"), 3));
            Assert.True(client.DeleteLink(3));
            client.SetLinkUp(3);
            client.SetMtu(3, 1400);
            client.AddAddress(3, InterfaceAddress.Parse("10.1.0.1/16"));
            client.ReplaceAddress(3, InterfaceAddress.Parse("10.1.0.1/16"));
            Assert.Equal(7, kernel.Sent.Count);
        }
    }

    [Fact]
    public void GetRoutes_KeepsMainTableOnly()
    {
        static byte[] Route(uint seq, byte table, string dst)
        {
            var network = IPNetwork.Parse(dst);
            var buffer = new byte[128];
            var w = new NetlinkWriter(buffer);
            w.BeginMessage(LinuxRtnetlink.RTM_NEWROUTE, LinuxNetlink.NLM_F_MULTI, seq);
            w.WriteHeader(new RtMsg(2, (byte)network.PrefixLength, 0, 0, table, 2, 253, 1, 0));
            w.WriteAddress((ushort)LinuxRtnetlink.rtattr_type_t.RTA_DST, network.BaseAddress);
            w.WriteU32((ushort)LinuxRtnetlink.rtattr_type_t.RTA_OIF, 2);
            w.EndMessage();
            byte[] bytes = w.Written.ToArray();
            Replies.SetPortId(bytes, Port);
            return bytes;
        }

        var (client, _) = Create((_, seq) =>
            [Replies.Datagram(Route(seq, 254, "10.0.0.0/24"), Route(seq, 255, "10.0.0.1/32"), Replies.Done(seq, Port))]);
        using (client)
        {
            var routes = client.GetRoutes(AddressFamily.InterNetwork);
            var route = Assert.Single(routes);
            Assert.Equal((IPNetwork.Parse("10.0.0.0/24"), 2, 254, 2, 253, 1),
                (route.Destination, route.OutputInterfaceIndex, route.Table, route.Protocol, route.Scope, route.Type));
        }
    }

    [Fact]
    public void Dispose_ThenUse_ThrowsObjectDisposed()
    {
        var (client, kernel) = Create((req, _) => [Replies.Ack(req, Port)]);
        client.Dispose();
        Assert.True(kernel.Disposed);
        Assert.Throws<ObjectDisposedException>(() => client.GetLinks());
    }
}
