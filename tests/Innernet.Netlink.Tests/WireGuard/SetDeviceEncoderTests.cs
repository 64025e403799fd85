using System.Net;
using Innernet.Netlink;
using Innernet.Netlink.Route;
using Innernet.Netlink.Sockets;
using Innernet.Netlink.Tests.Support;
using Innernet.Netlink.WireGuard;
using Innernet.Netlink.WireGuard.Kernel;

namespace Innernet.Netlink.Tests.WireGuard;

/// <summary>
/// The streaming SET encoder against the pre-streaming builder (<see cref="ReferenceSetDeviceBuilder"/>) byte for
/// byte, and the kernel backend's encode-send-ACK loop (what it sends, how it reports errors, what it allocates).
/// </summary>
public class SetDeviceEncoderTests
{
    private const ushort Family = 0x1b;
    private const uint Port = 5150;
    private const int SequenceOffset = 8;

    [Fact]
    public void BuildSetDevice_RandomConfigsAndLimits_SameBytesAsTheReferenceBuilder()
    {
        var random = new Random(2024);
        for (int i = 0; i < 400; i++)
        {
            int limit = i % 4 == 0 ? WireGuardMessageBuilder.DefaultMessageLimit : random.Next(300, 70_000);
            DeviceConfig config = WireGuardMessageBuilderTests.RandomConfig(random, random.Next(0, 60), random.Next(0, 3),
                random.Next(0, 3000));

            AssertSameMessages(ReferenceSetDeviceBuilder.BuildSetDevice(Family, "wg0", config, limit),
                WireGuardMessageBuilder.BuildSetDevice(Family, "wg0", config, limit), $"config {i}, limit {limit}");
        }
    }

    [Fact]
    public void BuildSetDevice_TenThousandSingleAddressPeers_SameBytesAsTheReferenceBuilder()
    {
        DeviceConfig config = BenchmarkConfig(10_000);

        List<byte[]> expected = ReferenceSetDeviceBuilder.BuildSetDevice(Family, "innbench0", config);
        AssertSameMessages(expected, WireGuardMessageBuilder.BuildSetDevice(Family, "innbench0", config), "10,000 peers");
        Assert.True(expected.Count > 20);
    }

    [Fact]
    public void ConfigureDevice_SendsExactlyTheReferenceMessages_EachAfterTheAckOfThePrevious()
    {
        var kernel = new FakeKernel(Port) { Respond = (req, _) => [Replies.Ack(req, Port)] };
        using KernelWireGuardClient control = Control(kernel);
        DeviceConfig config = WireGuardMessageBuilderTests.RandomConfig(new Random(7), 400, 2, 4000);

        control.ConfigureDevice("wg0", config);

        List<byte[]> expected = ReferenceSetDeviceBuilder.BuildSetDevice(Family, "wg0", config);
        List<byte[]> sent = kernel.Sent.Select(WithoutSequence).ToList();
        AssertSameMessages(expected, sent, "sent");
        var sequences = kernel.Sent.Select(FakeKernel.SequenceOf).ToList();
        Assert.Equal(sequences.Count, sequences.Distinct().Count());
        Assert.Equal(sequences.Order(), sequences);
    }

    [Fact]
    public void ConfigureDevice_ErrorOnThirdMessage_StopsThereAndNamesItsNumberAndTheTotal()
    {
        var kernel = new FakeKernel(Port)
        {
            Respond = (req, n) => [n == 2 ? Replies.Error(req, Port, -22, capped: true, extack: "bad peer", offset: 40) : Replies.Ack(req,
                Port)],
        };
        using KernelWireGuardClient control = Control(kernel);
        control.MessageLimit = 1024;
        DeviceConfig config = WireGuardMessageBuilderTests.RandomConfig(new Random(4), 50, 1, 100);
        int total = ReferenceSetDeviceBuilder.BuildSetDevice(Family, "wg0", config, 1024).Count;

        var e = Assert.Throws<NetlinkErrorException>(() => control.ConfigureDevice("wg0", config));

        Assert.Equal(3, kernel.Sent.Count);
        Assert.Equal(Errno.EINVAL, e.Errno);
        Assert.Equal($"WG_CMD_SET_DEVICE wg0 (message 3 of {total})", e.Operation);
        Assert.Equal("bad peer", e.ExtendedAckMessage);
        Assert.Equal(40, e.ExtendedAckOffset);
    }

    [Fact]
    public void ConfigureDevice_NullPeerAnywhere_ThrowsBeforeSendingAnything()
    {
        var kernel = new FakeKernel(Port) { Respond = (req, _) => [Replies.Ack(req, Port)] };
        using KernelWireGuardClient control = Control(kernel);
        control.MessageLimit = 1024;
        DeviceConfig config = BenchmarkConfig(200);
        config.Peers.Add(null!);

        Assert.Throws<ArgumentException>(() => control.ConfigureDevice("wg0", config));
        Assert.Empty(kernel.Sent);
    }

    [Fact]
    public void ConfigureDevice_TenThousandPeers_AllocatesNothingPerPeer()
    {
        var kernel = new AckingKernel(Port);
        using var control = new KernelWireGuardClient(new NetlinkConnection(kernel), Family,
            new RouteNetlinkClient(new NetlinkConnection(new FakeKernel(Port))));
        DeviceConfig config = BenchmarkConfig(10_000);
        control.ConfigureDevice("wg0", config); // warm: pooled buffer, JIT
        long wireBytes = kernel.Bytes;

        long before = GC.GetAllocatedBytesForCurrentThread();
        control.ConfigureDevice("wg0", config);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(2 * wireBytes, kernel.Bytes);
        Assert.True(allocated < 4096, $"ConfigureDevice of 10,000 peers ({wireBytes} bytes on the wire) allocated {allocated} bytes");
    }

    [Fact]
    public void EncodeNext_StopsAfterTheLastMessage_AndRejectsABufferBelowTheLimit()
    {
        var encoder = new SetDeviceEncoder(Family, "wg0", new DeviceConfig { ListenPort = 51820 }, 1024);
        Assert.Throws<ArgumentException>(() => encoder.EncodeNext(new byte[1023]));

        var buffer = new byte[1024];
        Assert.True(encoder.EncodeNext(buffer) > 0);
        Assert.True(encoder.IsComplete);
        Assert.Equal(0, encoder.EncodeNext(buffer));
        Assert.Equal(1, encoder.MessagesEncoded);
    }

    private static DeviceConfig BenchmarkConfig(int peers)
    {
        var random = new Random(peers);
        var config = new DeviceConfig { ReplacePeers = true };
        for (int i = 1; i <= peers; i++)
        {
            var key = new byte[32];
            random.NextBytes(key);
            var network = new IPNetwork(new IPAddress(new byte[] { 10, (byte)(i >> 16), (byte)(i >> 8), (byte)i }), 32);
            config.Peers.Add(new PeerConfig { PublicKey = new WireGuardKey(key), AllowedIPs = { network } });
        }

        return config;
    }

    private static byte[] WithoutSequence(byte[] message)
    {
        byte[] copy = message.ToArray();
        copy.AsSpan(SequenceOffset, sizeof(uint)).Clear();
        return copy;
    }

    private static void AssertSameMessages(List<byte[]> expected, List<byte[]> actual, string what)
    {
        Assert.True(expected.Count == actual.Count, $"{what}: {actual.Count} messages, expected {expected.Count}");
        for (int m = 0; m < expected.Count; m++)
        {
            Assert.True(expected[m].AsSpan().SequenceEqual(actual[m]), $"{what}: message {m + 1} differs");
        }
    }

    private static KernelWireGuardClient Control(FakeKernel genl) =>
        new(new NetlinkConnection(genl), Family, new RouteNetlinkClient(new NetlinkConnection(new FakeKernel(Port))));
}
