using Innernet.Netlink;
using Innernet.Netlink.Interop;
using Innernet.Netlink.Protocol;
using Innernet.Netlink.Sockets;
using Innernet.Netlink.Tests.Support;

namespace Innernet.Netlink.Tests.Sockets;

public class NetlinkConnectionTests
{
    private const uint Port = 4242;

    private static byte[] Request(ushort flags = LinuxNetlink.NLM_F_REQUEST | LinuxNetlink.NLM_F_ACK)
    {
        var buffer = new byte[64];
        var w = new NetlinkWriter(buffer);
        w.BeginMessage(LinuxRtnetlink.RTM_NEWLINK, flags);
        w.WriteHeader(new IfInfoMsg(0, 0, 1, 0, 0));
        w.WriteU32(LinuxIfLink.IFLA_MTU, 1420);
        w.EndMessage();
        return w.Written.ToArray();
    }

    private static byte[] Data(uint sequence, ushort type = LinuxRtnetlink.RTM_NEWLINK, int index = 1,
        ushort flags = LinuxNetlink.NLM_F_MULTI)
    {
        var buffer = new byte[64];
        var w = new NetlinkWriter(buffer);
        w.BeginMessage(type, flags, sequence);
        w.WriteHeader(new IfInfoMsg(0, 0, index, 0, 0));
        w.EndMessage();
        byte[] bytes = w.Written.ToArray();
        Replies.SetPortId(bytes, Port);
        return bytes;
    }

    [Fact]
    public void Execute_Ack_ReturnsNoDataAndStampsIncreasingSequence()
    {
        var kernel = new FakeKernel(Port) { Respond = (req, _) => [Replies.Ack(req, Port)] };
        using var connection = new NetlinkConnection(kernel, initialSequence: 100);

        Assert.Empty(connection.Execute(Request(), "op"));
        Assert.Empty(connection.Execute(Request(), "op"));

        Assert.Equal([101u, 102u], kernel.Sent.Select(FakeKernel.SequenceOf));
    }

    [Fact]
    public void Execute_StaleRepliesBeforeAck_AreSkipped()
    {
        var kernel = new FakeKernel(Port)
        {
            Respond = (req, _) =>
            {
                uint seq = FakeKernel.SequenceOf(req);
                byte[] wrongPort = Replies.Ack(req, Port + 1);
                byte[] wrongSeq = Replies.Error(req, Port, -19, capped: true);
                Replies.SetSequence(wrongSeq, seq - 1);
                return [Replies.Datagram(wrongSeq, wrongPort), Replies.Datagram(Data(seq), Replies.Ack(req, Port))];
            },
        };
        using var connection = new NetlinkConnection(kernel, initialSequence: 7);

        List<byte[]> data = connection.Execute(Request(), "op");

        Assert.Single(data);
        Assert.Equal(LinuxRtnetlink.RTM_NEWLINK, NlMsgHeader.Read(data[0]).Type);
    }

    [Fact]
    public void Execute_CappedErrorWithExtack_ThrowsNetlinkExceptionWithDetails()
    {
        var kernel = new FakeKernel(Port)
        {
            Respond = (req, _) => [Replies.Error(req, Port, -95, capped: true, extack: "Unknown device type", offset: 36)],
        };
        using var connection = new NetlinkConnection(kernel);

        var e = Assert.Throws<NetlinkErrorException>(() => connection.Execute(Request(), "RTM_NEWLINK wg0"));

        Assert.Equal(Errno.EOPNOTSUPP, e.Errno);
        Assert.Equal("EOPNOTSUPP", e.ErrorName);
        Assert.Equal("Unknown device type", e.ExtendedAckMessage);
        Assert.Equal(36, e.ExtendedAckOffset);
        Assert.Equal("RTM_NEWLINK wg0", e.Operation);
        Assert.Contains("Unknown device type", e.Message);
        Assert.Contains("EOPNOTSUPP", e.Message);
        Assert.IsAssignableFrom<IOException>(e);
    }

    [Fact]
    public void Execute_UncappedErrorEchoingRequest_FindsExtackAfterEchoedPayload()
    {
        var kernel = new FakeKernel(Port)
        {
            Respond = (req, _) =>
                [Replies.Error(req, Port, -22, capped: false, extack: "Invalid prefix for given prefix length")],
        };
        using var connection = new NetlinkConnection(kernel);

        var e = Assert.Throws<NetlinkErrorException>(() => connection.Execute(Request(), "RTM_NEWROUTE"));

        Assert.Equal(Errno.EINVAL, e.Errno);
        Assert.Equal("EINVAL", e.ErrorName);
        Assert.Equal("Invalid prefix for given prefix length", e.ExtendedAckMessage);
        Assert.Null(e.ExtendedAckOffset);
    }

    [Fact]
    public void Execute_ErrorWithoutTlvs_HasNoExtack()
    {
        var kernel = new FakeKernel(Port) { Respond = (req, _) => [Replies.Error(req, Port, -17, capped: true)] };
        using var connection = new NetlinkConnection(kernel);

        var e = Assert.Throws<NetlinkErrorException>(() => connection.Execute(Request(), "op"));

        Assert.Equal(Errno.EEXIST, e.Errno);
        Assert.Equal("EEXIST", e.ErrorName);
        Assert.Null(e.ExtendedAckMessage);
    }

    [Fact]
    public void Execute_ErrorPayloadTooShort_ThrowsProtocolException()
    {
        var kernel = new FakeKernel(Port)
        {
            Respond = (req, _) =>
            {
                byte[] bad = Hex.Parse("18000000 0200 0000 00000000 00000000 edffffff 00000000 [error -19, then only 4 bytes of header]");
                Replies.SetSequence(bad, FakeKernel.SequenceOf(req));
                Replies.SetPortId(bad, Port);
                return [bad];
            },
        };
        using var connection = new NetlinkConnection(kernel);

        Assert.Throws<NetlinkProtocolException>(() => connection.Execute(Request(), "op"));
    }

    [Fact]
    public void Dump_MultipleDatagramsUntilDone_CollectsEveryDataMessage()
    {
        var kernel = new FakeKernel(Port)
        {
            Respond = (req, _) =>
            {
                uint seq = FakeKernel.SequenceOf(req);
                return
                [
                    Replies.Datagram(Data(seq, index: 1), Data(seq, index: 2)),
                    Replies.Datagram(Data(seq, index: 3)),
                    Replies.Datagram(Data(seq, index: 4), Replies.Done(seq, Port)),
                ];
            },
        };
        using var connection = new NetlinkConnection(kernel);

        List<byte[]> data = connection.Dump(Request(LinuxNetlink.NLM_F_REQUEST | LinuxNetlink.NLM_F_DUMP), "dump");

        Assert.Equal([1, 2, 3, 4], data.Select(m => IfInfoMsg.Read(m.AsSpan(NlMsgHeader.Size)).Index));
    }

    [Fact]
    public void Dump_ErrorInsideDone_ThrowsWithExtack()
    {
        var kernel = new FakeKernel(Port)
        {
            Respond = (req, _) =>
            {
                uint seq = FakeKernel.SequenceOf(req);
                return [Replies.Datagram(Data(seq), Replies.Done(seq, Port, -22, "Invalid flags for FIB dump request"))];
            },
        };
        using var connection = new NetlinkConnection(kernel);

        var e = Assert.Throws<NetlinkErrorException>(() => connection.Dump(Request(LinuxNetlink.NLM_F_REQUEST | LinuxNetlink.NLM_F_DUMP),
            "RTM_GETROUTE"));

        Assert.Equal(Errno.EINVAL, e.Errno);
        Assert.Equal("Invalid flags for FIB dump request", e.ExtendedAckMessage);
    }

    [Fact]
    public void Dump_ThatFailsToStart_ThrowsFromNlmsgError()
    {
        var kernel = new FakeKernel(Port) { Respond = (req, _) => [Replies.Error(req, Port, -19, capped: true)] };
        using var connection = new NetlinkConnection(kernel);

        var e = Assert.Throws<NetlinkErrorException>(() => connection.Dump(Request(LinuxNetlink.NLM_F_REQUEST | LinuxNetlink.NLM_F_DUMP),
            "WG_CMD_GET_DEVICE"));

        Assert.Equal("ENODEV", e.ErrorName);
    }

    [Fact]
    public void Dump_InterruptedOnce_IsRetriedWithFreshSequenceAndReturnsOnlyTheConsistentResult()
    {
        var kernel = new FakeKernel(Port)
        {
            Respond = (req, n) =>
            {
                uint seq = FakeKernel.SequenceOf(req);
                if (n == 0)
                {
                    byte[] second = Data(seq, index: 99, flags: LinuxNetlink.NLM_F_MULTI | LinuxNetlink.NLM_F_DUMP_INTR);
                    return [Replies.Datagram(Data(seq, index: 98)), Replies.Datagram(second, Replies.Done(seq, Port))];
                }

                return [Replies.Datagram(Data(seq, index: 1), Replies.Done(seq, Port))];
            },
        };
        using var connection = new NetlinkConnection(kernel, initialSequence: 10);

        List<byte[]> data = connection.Dump(Request(LinuxNetlink.NLM_F_REQUEST | LinuxNetlink.NLM_F_DUMP), "dump");

        Assert.Equal(2, kernel.Sent.Count);
        Assert.Equal([11u, 12u], kernel.Sent.Select(FakeKernel.SequenceOf));
        Assert.Equal([1], data.Select(m => IfInfoMsg.Read(m.AsSpan(NlMsgHeader.Size)).Index));
    }

    [Fact]
    public void Dump_InterruptFlagOnDoneOnly_StillRetries()
    {
        var kernel = new FakeKernel(Port)
        {
            Respond = (req, n) =>
            {
                uint seq = FakeKernel.SequenceOf(req);
                return [Replies.Datagram(Data(seq), Replies.Done(seq, Port,
                    extraFlags: n == 0 ? LinuxNetlink.NLM_F_DUMP_INTR : (ushort)0))];
            },
        };
        using var connection = new NetlinkConnection(kernel);

        connection.Dump(Request(LinuxNetlink.NLM_F_REQUEST | LinuxNetlink.NLM_F_DUMP), "dump");

        Assert.Equal(2, kernel.Sent.Count);
    }

    [Fact]
    public void Dump_AlwaysInterrupted_GivesUpAfterBoundedAttemptsWithEintr()
    {
        var kernel = new FakeKernel(Port)
        {
            Respond = (req, _) =>
            {
                uint seq = FakeKernel.SequenceOf(req);
                return [Replies.Done(seq, Port, extraFlags: LinuxNetlink.NLM_F_DUMP_INTR)];
            },
        };
        using var connection = new NetlinkConnection(kernel);

        var e = Assert.Throws<NetlinkException>(() => connection.Dump(Request(LinuxNetlink.NLM_F_REQUEST | LinuxNetlink.NLM_F_DUMP),
            "dump"));

        Assert.Equal("EINTR", e.ErrorName);
        Assert.Equal(NetlinkConnection.MaxDumpAttempts, kernel.Sent.Count);
    }

    [Fact]
    public void Receive_TruncatedDatagram_ThrowsProtocolException()
    {
        var kernel = new FakeKernel(Port) { Respond = (_, _) => [new byte[NetlinkConnection.ReceiveBufferSize + 100]] };
        using var connection = new NetlinkConnection(kernel);

        var e = Assert.Throws<NetlinkProtocolException>(() => connection.Execute(Request(), "op"));
        Assert.Contains("MSG_TRUNC", e.Message);
    }

    [Fact]
    public void Replies_RandomlyCorrupted_OnlyEverThrowNetlinkOrProtocolExceptions()
    {
        // Any other exception escapes and fails the test. Where the input decides the outcome, it is checked too:
        // an untouched reply is the kernel's EINVAL, a reply only cut short inside a message is a protocol error.
        var random = new Random(4711);
        int intact = 0, cutShort = 0;
        for (int i = 0; i < 3000; i++)
        {
            bool wasIntact = false, wasCutShort = false;
            var kernel = new FakeKernel(Port)
            {
                Respond = (req, _) =>
                {
                    uint seq = FakeKernel.SequenceOf(req);
                    byte[] data = Data(seq);
                    byte[] original = Replies.Datagram(data, Replies.Error(req, Port, -22, capped: i % 2 == 0, extack: "bad thing",
                        offset: 20));
                    int cut = Math.Max(random.Next(original.Length + 1), 1);
                    byte[] datagram = original[..cut];
                    for (int k = random.Next(0, 4); k > 0; k--)
                    {
                        int at = random.Next(datagram.Length);
                        if (at is < 8 or >= 16)
                        {
                            datagram[at] = (byte)random.Next(256); // Keep seq/port mostly intact so parsing goes deep.
                        }
                    }

                    bool prefix = datagram.AsSpan().SequenceEqual(original.AsSpan(0, cut));
                    wasIntact = prefix && cut == original.Length;
                    wasCutShort = prefix && cut < original.Length && cut != data.Length;
                    return [datagram, Replies.Error(req, Port, -22, capped: true)];
                },
            };
            using var connection = new NetlinkConnection(kernel);
            var e = Record.Exception(() => connection.Execute(Request(), "op")); // a corrupted error code may read as an ACK
            Assert.True(e is null or NetlinkException, $"iteration {i}: {e}");
            if (wasIntact)
            {
                intact++;
                Assert.Equal("EINVAL", Assert.IsType<NetlinkErrorException>(e).ErrorName);
            }
            else if (wasCutShort)
            {
                cutShort++;
                Assert.IsType<NetlinkProtocolException>(e);
            }
        }

        Assert.True(intact > 0 && cutShort > 0, $"the seed exercises both decided cases: {intact} intact, {cutShort} cut short");
    }
}
