using Innernet.Netlink;
using Innernet.Netlink.Interop;
using Innernet.Netlink.Protocol;
using Innernet.Netlink.Sockets;
using Innernet.Netlink.Tests.Support;

namespace Innernet.Netlink.Tests.Sockets;

public class GenericFamilyResolverTests
{
    private const uint Port = 99;

    /// <summary>CTRL_CMD_GETFAMILY for "wireguard" as the kernel expects it, byte for byte (hand-assembled).</summary>
    public const string GetFamilyWireGuardSeq1 =
        "24000000 [len=36] 1000 [type=GENL_ID_CTRL] 0500 [flags=REQ|ACK] 01000000 [seq=1] 00000000 [pid=0]"
        + " 03 [cmd=GETFAMILY] 01 [ver=1] 0000 [reserved]"
        + " 0e00 [nla_len=14] 0200 [FAMILY_NAME] 776972656775617264 00 [\"wireguard\\0\"] 0000 [pad]";

    [Fact]
    public void BuildGetFamilyRequest_MatchesGoldenBytesA()
    {
        byte[] request = GenericFamilyResolver.BuildGetFamilyRequest("wireguard");
        NlMsgHeader.PatchSequence(request, 1);
        Hex.Equal(GetFamilyWireGuardSeq1, request);
    }

    internal static byte[] FamilyReply(uint sequence, ushort id, string name)
    {
        var buffer = new byte[256];
        var w = new NetlinkWriter(buffer);
        w.BeginMessage(LinuxGenetlink.GENL_ID_CTRL, 0, sequence);
        w.WriteHeader(new GenlMsgHeader(LinuxGenetlink.CTRL_CMD_NEWFAMILY, 2));
        w.WriteString(LinuxGenetlink.CTRL_ATTR_FAMILY_NAME, name);
        w.WriteU32(LinuxGenetlink.CTRL_ATTR_VERSION, 1);
        var ops = w.BeginNested(LinuxGenetlink.CTRL_ATTR_OPS);
        var op = w.BeginNested(1);
        w.WriteU32(1, 0);
        w.EndNested(op);
        w.EndNested(ops);
        w.WriteU16(LinuxGenetlink.CTRL_ATTR_FAMILY_ID, id); // Order not guaranteed: id after the others.
        w.EndMessage();
        byte[] bytes = w.Written.ToArray();
        Replies.SetPortId(bytes, Port);
        return bytes;
    }

    [Fact]
    public void Resolve_ParsesFamilyIdAndCachesIt()
    {
        var kernel = new FakeKernel(Port)
        {
            Respond = (req, _) => [Replies.Datagram(FamilyReply(FakeKernel.SequenceOf(req), 0x1b, "wireguard"), Replies.Ack(req, Port))],
        };
        using var connection = new NetlinkConnection(kernel);
        var resolver = new GenericFamilyResolver(connection);

        Assert.Equal((ushort)0x1b, resolver.Resolve("wireguard"));
        Assert.Equal((ushort)0x1b, resolver.Resolve("wireguard"));
        Assert.Single(kernel.Sent);
    }

    [Fact]
    public void Resolve_Enoent_ReturnsNull()
    {
        var kernel = new FakeKernel(Port) { Respond = (req, _) => [Replies.Error(req, Port, -2, capped: true)] };
        using var connection = new NetlinkConnection(kernel);

        Assert.Null(new GenericFamilyResolver(connection).Resolve("wireguard"));
    }

    [Fact]
    public void Resolve_OtherError_Propagates()
    {
        var kernel = new FakeKernel(Port) { Respond = (req, _) => [Replies.Error(req, Port, -1, capped: true)] };
        using var connection = new NetlinkConnection(kernel);

        Assert.Equal("EPERM", Assert.Throws<NetlinkErrorException>(() =>
            new GenericFamilyResolver(connection).Resolve("wireguard")).ErrorName);
    }

    [Fact]
    public void RealSocket_ResolvesTheControllerFamilyItself()
    {
        // Read-only and unprivileged: the generic netlink controller always knows "nlctrl" (id 0x10).
        using var connection = NetlinkConnection.Open(LinuxNetlink.NETLINK_GENERIC);
        Assert.NotEqual(0u, connection.PortId);
        Assert.Equal(LinuxGenetlink.GENL_ID_CTRL, new GenericFamilyResolver(connection).Resolve("nlctrl"));
        Assert.Null(new GenericFamilyResolver(connection).Resolve("nosuchfamily"));
    }
}
