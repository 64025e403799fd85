using System.Buffers.Binary;
using Innernet.Netlink;
using Innernet.Netlink.Interop;
using Innernet.Netlink.Protocol;
using Innernet.Netlink.Route;
using Innernet.Netlink.Sockets;
using Innernet.Netlink.Tests.Support;
using Innernet.Netlink.WireGuard;
using Innernet.Netlink.WireGuard.Kernel;
using static Innernet.Netlink.Interop.LinuxWireGuard;

namespace Innernet.Netlink.Tests.WireGuard;

/// <summary>Synthesized WG_CMD_GET_DEVICE dumps in the kernel's attribute layout (a real capture needs the module).</summary>
public class WireGuardDumpParserTests
{
    private const ushort Family = 0x1b;
    private const uint Port = 5150;

    private static WireGuardKey Fill(byte value) => new(Enumerable.Repeat(value, 32).ToArray());

    /// <summary>Writes one GET_DEVICE reply message the way the kernel lays it out.</summary>
    internal static class DumpMessage
    {
        public static byte[] Build(uint seq, ushort flags, Action<Builder> body)
        {
            var buffer = new byte[65536];
            var w = new NetlinkWriter(buffer);
            w.BeginMessage(Family, (ushort)(LinuxNetlink.NLM_F_MULTI | flags), seq);
            w.WriteHeader(new GenlMsgHeader(0, 1));
            var b = new Builder(buffer, w.Position);
            body(b);
            w.Rewind(0);
            var bytes = buffer[..b.Position].ToArray();
            BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)bytes.Length);
            Replies.SetPortId(bytes, Port);
            return bytes;
        }
    }

    /// <summary>A tiny imperative facade over NetlinkWriter that survives lambdas (re-created per call).</summary>
    internal sealed class Builder(byte[] buffer, int start)
    {
        private readonly Stack<int> _open = new();

        public int Position { get; private set; } = start;

        public Builder U32(ushort type, uint value) => Raw(type, BitConverter.GetBytes(value));

        public Builder U16(ushort type, ushort value) => Raw(type, BitConverter.GetBytes(value));

        public Builder U64(ushort type, ulong value) => Raw(type, BitConverter.GetBytes(value));

        public Builder U8(ushort type, byte value) => Raw(type, [value]);

        public Builder Str(ushort type, string value) => Raw(type, [.. System.Text.Encoding.UTF8.GetBytes(value), 0]);

        public Builder Raw(ushort type, byte[] payload)
        {
            var w = new NetlinkWriter(buffer.AsSpan(Position));
            w.WriteBytes(type, payload);
            Position += w.Position;
            return this;
        }

        public Builder Open(ushort type)
        {
            _open.Push(Position);
            BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(Position + 2), (ushort)(type | LinuxNetlink.NLA_F_NESTED));
            Position += 4;
            return this;
        }

        public Builder Close()
        {
            int start = _open.Pop();
            BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(start), (ushort)(Position - start));
            return this;
        }

        public Builder AllowedIP(string cidr)
        {
            var n = IPNetwork.Parse(cidr);
            bool v4 = n.BaseAddress.AddressFamily == AddressFamily.InterNetwork;
            // Kernel order: CIDR_MASK, FAMILY, IPADDR.
            return Open(0)
                .U8((ushort)wgallowedip_attribute.WGALLOWEDIP_A_CIDR_MASK, (byte)n.PrefixLength)
                .U16((ushort)wgallowedip_attribute.WGALLOWEDIP_A_FAMILY, (ushort)(v4 ? 2 : 10))
                .Raw((ushort)wgallowedip_attribute.WGALLOWEDIP_A_IPADDR, n.BaseAddress.GetAddressBytes())
                .Close();
        }
    }

    private static byte[] SockaddrIn(string address, ushort port)
    {
        var s = new byte[16];
        BinaryPrimitives.WriteUInt16LittleEndian(s, 2);
        BinaryPrimitives.WriteUInt16BigEndian(s.AsSpan(2), port);
        IPAddress.Parse(address).GetAddressBytes().CopyTo(s, 4);
        return s;
    }

    private static byte[] SockaddrIn6(string address, ushort port, uint scope)
    {
        var s = new byte[28];
        BinaryPrimitives.WriteUInt16LittleEndian(s, 10);
        BinaryPrimitives.WriteUInt16BigEndian(s.AsSpan(2), port);
        IPAddress.Parse(address).GetAddressBytes().CopyTo(s, 8);
        BinaryPrimitives.WriteUInt32LittleEndian(s.AsSpan(24), scope);
        return s;
    }

    private static byte[] Timespec(long seconds, long nanoseconds)
    {
        var t = new byte[16];
        BinaryPrimitives.WriteInt64LittleEndian(t, seconds);
        BinaryPrimitives.WriteInt64LittleEndian(t.AsSpan(8), nanoseconds);
        return t;
    }

    private static ushort P(wgpeer_attribute a) => (ushort)a;

    private static ushort D(wgdevice_attribute a) => (ushort)a;

    /// <summary>Message 1: device attributes, peer A whole, peer B's first allowed IPs.</summary>
    internal static byte[] First(uint seq, ushort flags = 0) => DumpMessage.Build(seq, flags, b => b
        .U16(D(wgdevice_attribute.WGDEVICE_A_LISTEN_PORT), 51820)
        .U32(D(wgdevice_attribute.WGDEVICE_A_FWMARK), 0)
        .U32(D(wgdevice_attribute.WGDEVICE_A_IFINDEX), 7)
        .Str(D(wgdevice_attribute.WGDEVICE_A_IFNAME), "wg0")
        .Raw(D(wgdevice_attribute.WGDEVICE_A_PRIVATE_KEY), Enumerable.Repeat((byte)0xA1, 32).ToArray())
        .Raw(D(wgdevice_attribute.WGDEVICE_A_PUBLIC_KEY), Enumerable.Repeat((byte)0xB2, 32).ToArray())
        .Open(D(wgdevice_attribute.WGDEVICE_A_PEERS))
            .Open(0)
                .Raw(P(wgpeer_attribute.WGPEER_A_PUBLIC_KEY), Enumerable.Repeat((byte)0x0A, 32).ToArray())
                .Raw(P(wgpeer_attribute.WGPEER_A_PRESHARED_KEY), new byte[32])
                .Raw(P(wgpeer_attribute.WGPEER_A_ENDPOINT), SockaddrIn("198.18.0.2", 51820))
                .U16(P(wgpeer_attribute.WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL), 25)
                .Raw(P(wgpeer_attribute.WGPEER_A_LAST_HANDSHAKE_TIME), Timespec(1_700_000_000, 500_000_000))
                .U32(0, 0) // type-0 pad attribute before the u64s (arches without efficient unaligned access)
                .U64(P(wgpeer_attribute.WGPEER_A_RX_BYTES), 1000)
                .U64(P(wgpeer_attribute.WGPEER_A_TX_BYTES), 2000)
                .U32(P(wgpeer_attribute.WGPEER_A_PROTOCOL_VERSION), 1)
                .Open(P(wgpeer_attribute.WGPEER_A_ALLOWEDIPS)).AllowedIP("10.0.0.2/32").Close()
            .Close()
            .Open(0)
                .Raw(P(wgpeer_attribute.WGPEER_A_PUBLIC_KEY), Enumerable.Repeat((byte)0x0B, 32).ToArray())
                .Raw(P(wgpeer_attribute.WGPEER_A_PRESHARED_KEY), Enumerable.Repeat((byte)0x5A, 32).ToArray())
                .Raw(P(wgpeer_attribute.WGPEER_A_ENDPOINT), SockaddrIn6("fe80::1", 4000, 3))
                .U16(P(wgpeer_attribute.WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL), 0)
                .Raw(P(wgpeer_attribute.WGPEER_A_LAST_HANDSHAKE_TIME), Timespec(0, 0))
                .Open(P(wgpeer_attribute.WGPEER_A_ALLOWEDIPS)).AllowedIP("10.1.0.0/16").AllowedIP("fd00:1::/64").Close()
            .Close()
        .Close());

    /// <summary>Continuation: no IFNAME; peer B again (key + remaining allowed IPs only), then peer C.</summary>
    internal static byte[] Second(uint seq, ushort flags = 0) => DumpMessage.Build(seq, flags, b => b
        .Open(D(wgdevice_attribute.WGDEVICE_A_PEERS))
            .Open(0)
                .Raw(P(wgpeer_attribute.WGPEER_A_PUBLIC_KEY), Enumerable.Repeat((byte)0x0B, 32).ToArray())
                .Open(P(wgpeer_attribute.WGPEER_A_ALLOWEDIPS)).AllowedIP("10.2.0.0/16").Close()
            .Close()
            .Open(0)
                .U32(99, 1) // unknown attribute: skipped
                .Raw(P(wgpeer_attribute.WGPEER_A_PUBLIC_KEY), Enumerable.Repeat((byte)0x0C, 32).ToArray())
            .Close()
        .Close());

    private static void AssertMerged(WireGuardDevice device)
    {
        Assert.Equal("wg0", device.Name);
        Assert.Equal(7, device.InterfaceIndex);
        Assert.Equal(51820, device.ListenPort);
        Assert.Equal(Fill(0xA1), device.PrivateKey);
        Assert.Equal(Fill(0xB2), device.PublicKey);
        Assert.Equal(WireGuardBackend.Kernel, device.Backend);
        Assert.Equal([Fill(0x0A), Fill(0x0B), Fill(0x0C)], device.Peers.Select(p => p.PublicKey));

        var a = device.Peers[0];
        Assert.Null(a.PresharedKey);
        Assert.Equal(IPEndPoint.Parse("198.18.0.2:51820"), a.Endpoint);
        Assert.Equal(25, a.PersistentKeepaliveInterval);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000).AddMilliseconds(500), a.LastHandshake);
        Assert.Equal(1000UL, a.ReceiveBytes);
        Assert.Equal(2000UL, a.TransmitBytes);
        Assert.Equal(1, a.ProtocolVersion);
        Assert.Equal([IPNetwork.Parse("10.0.0.2/32")], a.AllowedIPs);

        var b = device.Peers[1];
        Assert.Equal(Fill(0x5A), b.PresharedKey);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("fe80::1%3"), 4000), b.Endpoint);
        Assert.Equal(3, b.Endpoint!.Address.ScopeId);
        Assert.Null(b.LastHandshake);
        Assert.Equal([IPNetwork.Parse("10.1.0.0/16"), IPNetwork.Parse("fd00:1::/64"), IPNetwork.Parse("10.2.0.0/16")], b.AllowedIPs);

        Assert.Empty(device.Peers[2].AllowedIPs);
    }

    [Fact]
    public void Parse_MultiMessageDumpWithSplitPeer_MergesByPublicKey() =>
        AssertMerged(WireGuardDumpParser.Parse([First(1), Second(1)], Family, "wg0"));

    [Fact]
    public void Parse_NoPeers_GivesEmptyList()
    {
        byte[] message = DumpMessage.Build(1, 0, b => b.U16(D(wgdevice_attribute.WGDEVICE_A_LISTEN_PORT),
            0).Str(D(wgdevice_attribute.WGDEVICE_A_IFNAME), "wg1"));
        var device = WireGuardDumpParser.Parse([message], Family, "wg1");
        Assert.Empty(device.Peers);
        Assert.Null(device.PrivateKey);
    }

    [Theory]
    [InlineData("short key")]
    [InlineData("endpoint length")]
    [InlineData("allowed ip family")]
    [InlineData("cidr too long")]
    [InlineData("handshake out of range")]
    [InlineData("peer without key")]
    public void Parse_InvalidAttribute_ThrowsProtocolException(string problem)
    {
        byte[] message = DumpMessage.Build(1, 0, b =>
        {
            b.Open(D(wgdevice_attribute.WGDEVICE_A_PEERS)).Open(0);
            if (problem != "peer without key")
            {
                b.Raw(P(wgpeer_attribute.WGPEER_A_PUBLIC_KEY), new byte[problem == "short key" ? 31 : 32]);
            }

            switch (problem)
            {
                case "endpoint length":
                    b.Raw(P(wgpeer_attribute.WGPEER_A_ENDPOINT), SockaddrIn("1.2.3.4", 1)[..12]);
                    break;
                case "allowed ip family":
                    b.Open(P(wgpeer_attribute.WGPEER_A_ALLOWEDIPS)).Open(0).U16(1, 7).Raw(2, new byte[4]).U8(3, 8).Close().Close();
                    break;
                case "cidr too long":
                    b.Open(P(wgpeer_attribute.WGPEER_A_ALLOWEDIPS)).Open(0).U16(1, 2).Raw(2, new byte[4]).U8(3, 33).Close().Close();
                    break;
                case "handshake out of range":
                    b.Raw(P(wgpeer_attribute.WGPEER_A_LAST_HANDSHAKE_TIME), Timespec(long.MaxValue, 0));
                    break;
            }

            b.Close().Close();
        });
        Assert.Throws<NetlinkProtocolException>(() => WireGuardDumpParser.Parse([message], Family, "wg0"));
    }

    [Fact]
    public void Parse_RandomlyCorruptedOrTruncatedDumps_OnlyThrowProtocolException()
    {
        // Any other exception escapes and fails the test; a dump cut short must never parse as a whole one.
        var random = new Random(31337);
        byte[][] originals = [First(1), Second(1)];
        for (int i = 0; i < 5000; i++)
        {
            byte[] mutated = (byte[])originals[i % 2].Clone();
            if (i % 3 == 0)
            {
                mutated = mutated[..random.Next(1, mutated.Length)]; // at least one byte: an empty datagram holds no message
                Assert.Throws<NetlinkProtocolException>(() => WireGuardDumpParser.Parse([mutated], Family, "wg0"));
                continue;
            }

            for (int k = random.Next(1, 4); k > 0; k--)
            {
                mutated[random.Next(16, mutated.Length)] = (byte)random.Next(256);
            }

            try
            {
                WireGuardDumpParser.Parse([mutated], Family, "wg0");
            }
            catch (NetlinkProtocolException)
            {
                // rejected: fine for a corrupted dump
            }
        }
    }

    [Fact]
    public void Parse_OwnSetEncoding_ReadsBackTheSamePeers()
    {
        // The SET layout is a subset of the GET layout: reuse the dump parser on our own split encoding.
        var random = new Random(5);
        DeviceConfig config = WireGuardMessageBuilderTests.RandomConfig(random, 300, 2, 2500);
        foreach (var p in config.Peers)
        {
            p.Remove = false;
        }

        var messages = WireGuardMessageBuilder.BuildSetDevice(Family, "wg0", config, 4096);
        var device = WireGuardDumpParser.Parse(messages, Family, "wg0");

        Assert.Equal(config.Peers.Select(p => p.PublicKey), device.Peers.Select(p => p.PublicKey));
        for (int i = 0; i < config.Peers.Count; i++)
        {
            Assert.Equal(config.Peers[i].AllowedIPs, device.Peers[i].AllowedIPs);
            Assert.Equal(config.Peers[i].Endpoint, device.Peers[i].Endpoint);
        }
    }

    [Fact]
    public void KernelControl_GetDevice_DumpInterruptedOnce_RetriesAndMerges()
    {
        var kernel = new FakeKernel(Port)
        {
            Respond = (req, n) =>
            {
                uint seq = FakeKernel.SequenceOf(req);
                ushort intr = n == 0 ? LinuxNetlink.NLM_F_DUMP_INTR : (ushort)0;
                return [First(seq), Replies.Datagram(Second(seq, intr), Replies.Done(seq, Port))];
            },
        };
        using var control = Control(kernel);

        WireGuardDevice device = control.GetDevice("wg0")!;

        AssertMerged(device);
        Assert.Equal(2, kernel.Sent.Count);
        Hex.Equal(
            "1c000000 1b00 0103 [REQUEST|DUMP only] " + Convert.ToHexString(kernel.Sent[1].AsSpan(8, 4))
                + " 00000000 00010000 0800 0200 77673000",
            kernel.Sent[1]);
    }

    [Theory]
    [InlineData(-19)]
    [InlineData(-95)]
    public void KernelControl_GetDevice_NoSuchWireGuardDevice_ReturnsNull(int error)
    {
        var kernel = new FakeKernel(Port) { Respond = (req, _) => [Replies.Error(req, Port, error, capped: true)] };
        using var control = Control(kernel);
        Assert.Null(control.GetDevice("wg0"));
    }

    [Fact]
    public void KernelControl_ConfigureDevice_SendsEachMessageAfterTheAckOfThePrevious()
    {
        var kernel = new FakeKernel(Port) { Respond = (req, _) => [Replies.Ack(req, Port)] };
        using var control = Control(kernel);
        control.MessageLimit = 2048;
        DeviceConfig config = WireGuardMessageBuilderTests.RandomConfig(new Random(3), 100, 1, 300);

        control.ConfigureDevice("wg0", config);

        List<byte[]> expected = WireGuardMessageBuilder.BuildSetDevice(Family, "wg0", config, 2048);
        Assert.Equal(expected.Count, kernel.Sent.Count);
        Assert.True(expected.Count > 5);
        var sequences = kernel.Sent.Select(FakeKernel.SequenceOf).ToList();
        Assert.Equal(sequences.Order(), sequences);
    }

    [Fact]
    public void KernelControl_ConfigureDevice_Enodev_ThrowsEnodevWithTheKernelAnswerInside()
    {
        var kernel = new FakeKernel(Port) { Respond = (req, _) => [Replies.Error(req, Port, -19, capped: true)] };
        using var control = Control(kernel);
        var e = Assert.Throws<NetlinkException>(() => control.ConfigureDevice("wg0", new DeviceConfig { ListenPort = 1 }));
        Assert.Equal(Errno.ENODEV, e.Errno);
        Assert.Equal(Errno.ENODEV, Assert.IsType<NetlinkErrorException>(e.InnerException).Errno);
    }

    [Fact]
    public void KernelControl_ConfigureDevice_ErrorOnSecondMessage_StopsAndReportsIt()
    {
        var kernel = new FakeKernel(Port)
        {
            Respond = (req, n) => [n == 1 ? Replies.Error(req, Port, -22, capped: true, extack: "bad peer") : Replies.Ack(req, Port)],
        };
        using var control = Control(kernel);
        control.MessageLimit = 1024;
        DeviceConfig config = WireGuardMessageBuilderTests.RandomConfig(new Random(4), 50, 1, 100);

        var e = Assert.Throws<NetlinkErrorException>(() => control.ConfigureDevice("wg0", config));

        Assert.Equal("bad peer", e.ExtendedAckMessage);
        Assert.Contains("(message 2: peers ", e.Operation);
        Assert.Equal(2, kernel.Sent.Count);
    }

    private static KernelWireGuardClient Control(FakeKernel genl) =>
        new(new NetlinkConnection(genl), Family, new RouteNetlinkClient(new NetlinkConnection(new FakeKernel(Port))));
}
