using Innernet.Netlink.Interop;
using Innernet.Netlink.Protocol;
using Innernet.Netlink.Tests.Support;

namespace Innernet.Netlink.Tests.Protocol;

public class NetlinkWriterTests
{
    [Fact]
    public void BeginNested_SetsNestedFlagAndBackFillsLength_IncludingChildPadding()
    {
        var buffer = new byte[64];
        var w = new NetlinkWriter(buffer);
        var outer = w.BeginNested(8);
        w.WriteU8(3, 0x20);          // 5 bytes + 3 pad
        var inner = w.BeginNested(0);
        w.WriteU16(1, 2);            // 6 bytes + 2 pad
        w.EndNested(inner);
        w.EndNested(outer);

        Hex.Equal(
            "1800 0880 [outer len 24, type 8|NESTED]"
            + " 0500 0300 20 000000 [u8 0x20 + 3 pad]"
            + " 0c00 0080 [inner len 12, type 0|NESTED]"
            + " 0600 0100 0200 0000 [u16 2 + 2 pad]",
            w.Written);
    }

    [Fact]
    public void WriteString_AppendsNulAndPadsWithZeros()
    {
        var buffer = new byte[16];
        buffer.AsSpan().Fill(0xEE);
        var w = new NetlinkWriter(buffer);
        w.WriteString(2, "wg0");
        Hex.Equal("0800 0200 77673000 [\"wg0\\0\", no pad needed]", w.Written);

        w.Rewind(0);
        w.WriteString(3, "abcde");
        Hex.Equal("0a00 0300 6162636465 00 0000 [len 10 \"abcde\\0\" + 2 zero pad]", w.Written);
    }

    [Fact]
    public void EndMessage_BackFillsNlmsgLen()
    {
        var buffer = new byte[64];
        var w = new NetlinkWriter(buffer);
        w.BeginMessage(0x1b, LinuxNetlink.NLM_F_REQUEST | LinuxNetlink.NLM_F_ACK, 7);
        w.WriteHeader(new GenlMsgHeader(1, 1));
        w.WriteU32(1, 5);
        int length = w.EndMessage();

        Assert.Equal(28, length);
        Hex.Equal("1c000000 1b00 0500 07000000 00000000 [hdr len 28] 01010000 [genl] 0800 0100 05000000 [u32 5]", w.Written);
    }

    [Fact]
    public void EndNested_OverU16Length_Throws()
    {
        var buffer = new byte[70_000];
        var w = new NetlinkWriter(buffer);
        var nest = w.BeginNested(8);
        for (int i = 0; i < 1900; i++) // 1900 × 36 = 68400 bytes
        {
            w.WriteBytes(1, new byte[32]);
        }

        try
        {
            w.EndNested(nest);
            Assert.Fail("A nest over 65535 bytes must be refused.");
        }
        catch (InvalidOperationException e)
        {
            Assert.Contains("65535", e.Message);
        }
    }

    [Fact]
    public void Write_PastEndOfBuffer_ThrowsInvalidOperation()
    {
        var buffer = new byte[8];
        var w = new NetlinkWriter(buffer);
        w.WriteU32(1, 1);
        try
        {
            w.WriteU32(2, 2);
            Assert.Fail("Writing past the buffer must throw.");
        }
        catch (InvalidOperationException)
        {
        }

        Assert.Equal(8, w.Position);
    }

    [Fact]
    public void BeginAttribute_PayloadOver65531Bytes_Throws()
    {
        var buffer = new byte[70_000];
        var w = new NetlinkWriter(buffer);
        try
        {
            w.WriteBytes(1, new byte[65532]);
            Assert.Fail("nla_len overflow must throw.");
        }
        catch (InvalidOperationException)
        {
        }
    }

    [Fact]
    public void WriteAddress_UsesNetworkOrder()
    {
        var buffer = new byte[32];
        var w = new NetlinkWriter(buffer);
        w.WriteAddress(1, IPAddress.Parse("10.1.2.3"));
        w.WriteAddress(2, IPAddress.Parse("fd00::1"));
        Hex.Equal("0800 0100 0a010203 1400 0200 fd000000000000000000000000000001", w.Written);
    }

    [Theory]
    [InlineData("genl", "03 [cmd] 01 [version] 0000 [reserved]")]
    [InlineData("ifinfo", "00 [family] 00 [pad] 0000 [type] 05000000 [index 5] 01000000 [flags UP] 01000000 [change UP]")]
    [InlineData("ifaddr", "0a [AF_INET6] 40 [/64] 02 [flags] fd [scope link] 07000000 [index 7]")]
    [InlineData("rtmsg", "02 [AF_INET] 18 [dst /24] 00 [src] 00 [tos] fe [main] 03 [boot] fd [link] 01 [unicast] 00000000 [flags]")]
    public void FixedHeaders_WriteTo_MatchKernelLayout(string which, string expected)
    {
        byte[] bytes = which switch
        {
            "genl" => Write(GenlMsgHeader.Size, s => new GenlMsgHeader(3, 1).WriteTo(s)),
            "ifinfo" => Write(IfInfoMsg.Size, s => new IfInfoMsg(0, 0, 5, LinuxIfLink.IFF_UP, LinuxIfLink.IFF_UP).WriteTo(s)),
            "ifaddr" => Write(IfAddrMsg.Size, s => new IfAddrMsg(10, 64, 2, LinuxRtnetlink.RT_SCOPE_LINK, 7).WriteTo(s)),
            _ => Write(RtMsg.Size, s => new RtMsg(2, 24, 0, 0, 254, 3, 253, 1, 0).WriteTo(s)),
        };
        Hex.Equal(expected, bytes);
    }

    [Fact]
    public void FixedHeaders_RoundTrip()
    {
        var info = new IfInfoMsg(10, 65534, 42, 0x1043, 0xFFFFFFFF);
        Assert.Equal(info, IfInfoMsg.Read(Write(IfInfoMsg.Size, info.WriteTo)));
        var addr = new IfAddrMsg(2, 24, 0x80, 0, 9);
        Assert.Equal(addr, IfAddrMsg.Read(Write(IfAddrMsg.Size, addr.WriteTo)));
        var route = new RtMsg(10, 48, 0, 0, 254, 3, 0, 1, 0x200);
        Assert.Equal(route, RtMsg.Read(Write(RtMsg.Size, route.WriteTo)));
        var header = new NlMsgHeader(100, 16, 0x305, 0xDEADBEEF, 77);
        Assert.Equal(header, NlMsgHeader.Read(Write(NlMsgHeader.Size, header.WriteTo)));
    }

    private delegate void SpanWriter(Span<byte> destination);

    private static byte[] Write(int size, SpanWriter write)
    {
        var bytes = new byte[size];
        write(bytes);
        return bytes;
    }
}
