using System.Net;
using Innernet.Netlink;
using Innernet.Netlink.Route;
using Innernet.Netlink.Sockets;
using Innernet.Netlink.Protocol;
using Innernet.Netlink.Tests.Support;
using Innernet.Netlink.WireGuard;
using Innernet.Netlink.WireGuard.Kernel;
using static Innernet.Netlink.Interop.LinuxWireGuard;

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
    public void EncodeNext_RemovedAllowedIP_CarriesRemoveMeFlagAndPrecedesTheAdditions()
    {
        DeviceConfig config = OnePeer(0x11, [IPNetwork.Parse("10.0.0.2/32")], [IPNetwork.Parse("10.0.0.3/32")]);
        config.Peers[0].UpdateOnly = true;
        var buffer = new byte[1024];

        int length = new SetDeviceEncoder(Family, "wg0", config, buffer.Length).EncodeNext(buffer);

        string expected =
            "94000000 [len 148] 1b00 [family] 0500 [REQUEST|ACK] 00000000 [seq] 00000000 [pid] 01 [WG_CMD_SET_DEVICE] 01 0000"
            + " 0800 0200 77673000 [WGDEVICE_A_IFNAME \"wg0\"]"
            + " 7800 0880 [WGDEVICE_A_PEERS len 120] 7400 0080 [peer 0 len 116]"
            + " 2400 0100 " + string.Concat(Enumerable.Repeat("11", 32)) + " [WGPEER_A_PUBLIC_KEY]"
            + " 0800 0300 04000000 [WGPEER_A_FLAGS UPDATE_ONLY]"
            + " 4400 0980 [WGPEER_A_ALLOWEDIPS len 68]"
            + " 2400 0080 [removal len 36] 0600 0100 0200 0000 [AF_INET] 0800 0200 0a000002 [10.0.0.2] 0500 0300 20 000000 [/32]"
            + " 0800 0400 01000000 [WGALLOWEDIP_A_FLAGS = WGALLOWEDIP_F_REMOVE_ME]"
            + " 1c00 0080 [addition len 28] 0600 0100 0200 0000 0800 0200 0a000003 [10.0.0.3] 0500 0300 20 000000 [/32]";
        Assert.Equal(Hex.Dump(Hex.Parse(expected)), Hex.Dump(WithoutSequence(buffer[..length])));
    }

    [Fact]
    public void EncodeNext_ManyRemovalsAtASmallLimit_SplitAcrossMessagesWithoutLosingOne()
    {
        DeviceConfig config = OnePeer(0x22,
            Enumerable.Range(0, 200).Select(i => new IPNetwork(new IPAddress([10, 1, 0, (byte)i]), 32)).ToList(),
            Enumerable.Range(0, 50).Select(i => new IPNetwork(new IPAddress([10, 2, 0, (byte)i]), 32)).ToList());
        var encoder = new SetDeviceEncoder(Family, "wg0", config, 600);
        var buffer = new byte[600];
        int messages = 0;
        int removeFlags = 0;
        int elements = 0;
        int length;
        while ((length = encoder.EncodeNext(buffer)) > 0)
        {
            messages++;
            string hex = Convert.ToHexString(buffer, 0, length);
            removeFlags += CountOf(hex, "0800040001000000");
            elements += CountOf(hex, "060001000200");
        }

        Assert.True(messages > 5, $"{messages} messages");
        Assert.Equal(200, removeFlags);
        Assert.Equal(250, elements);
    }

    [Fact]
    public void EncodeNext_AtTheSmallestLimit_EveryMessageTakesTheLargestPeerFragment()
    {
        // The smallest limit for "wg0": nlmsghdr 16, genlmsghdr 4, IFNAME 8, then 4 keys (144) and 128 bytes of slack.
        const int limit = 16 + 4 + 8 + 144 + 128;
        var key = new WireGuardKey(Enumerable.Repeat((byte)0x33, 32).ToArray());
        var config = new DeviceConfig { PrivateKey = key, ListenPort = 51820, FirewallMark = 7, ReplacePeers = true };
        for (int i = 0; i < 3; i++)
        {
            config.Peers.Add(new PeerConfig
            {
                PublicKey = new WireGuardKey(Enumerable.Repeat((byte)(0x40 + i), 32).ToArray()), UpdateOnly = true,
                ReplaceAllowedIPs = true, PresharedKey = key, Endpoint = new IPEndPoint(IPAddress.Parse("fd00::1"), 51820),
                PersistentKeepaliveInterval = 25,
                RemoveAllowedIPs = Enumerable.Range(0, 4).Select(k => IPNetwork.Parse($"fd00:{i}::{k}/128")).ToList(),
                AllowedIPs = Enumerable.Range(0, 4).Select(k => IPNetwork.Parse($"fd01:{i}::{k}/128")).ToList(),
            });
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => new SetDeviceEncoder(Family, "wg0", config, limit - 1));
        var encoder = new SetDeviceEncoder(Family, "wg0", config, limit);
        var buffer = new byte[limit];
        int removeFlags = 0;
        int elements = 0;
        int length;
        while ((length = encoder.EncodeNext(buffer)) > 0)
        {
            Assert.True(encoder.MessagesEncoded <= 24, "a message took no fragment");
            Assert.True(PeerFragments(buffer.AsSpan(0, length)) > 0, $"message {encoder.MessagesEncoded} has no peer");
            string hex = Convert.ToHexString(buffer, 0, length);
            removeFlags += CountOf(hex, "0800040001000000");
            elements += CountOf(hex, "060001000A00"); // WGALLOWEDIP_A_FAMILY AF_INET6
        }

        Assert.Equal(12, removeFlags);
        Assert.Equal(24, elements);
    }

    private static DeviceConfig OnePeer(byte key, List<IPNetwork> remove, List<IPNetwork> add) => new()
    {
        Peers =
        {
            new PeerConfig
            {
                PublicKey = new WireGuardKey(Enumerable.Repeat(key, 32).ToArray()), RemoveAllowedIPs = remove, AllowedIPs = add,
            },
        },
    };

    private static int PeerFragments(ReadOnlySpan<byte> message)
    {
        var reader = new NetlinkMessageReader(message);
        Assert.True(reader.MoveNext());
        int fragments = 0;
        foreach (var a in new AttributeReader(reader.Current.Payload[GenlMsgHeader.Size..]))
        {
            if (a.Type == (ushort)wgdevice_attribute.WGDEVICE_A_PEERS)
            {
                foreach (var peer in a.GetNested())
                {
                    fragments++;
                }
            }
        }

        return fragments;
    }

    /// <summary>The public keys of the peer fragments in a SET message, in order.</summary>
    private static List<WireGuardKey> PeerKeys(ReadOnlySpan<byte> message)
    {
        var reader = new NetlinkMessageReader(message);
        Assert.True(reader.MoveNext());
        var keys = new List<WireGuardKey>();
        foreach (var a in new AttributeReader(reader.Current.Payload[GenlMsgHeader.Size..]))
        {
            if (a.Type == (ushort)wgdevice_attribute.WGDEVICE_A_PEERS)
            {
                foreach (var peer in a.GetNested())
                {
                    foreach (var field in peer.GetNested())
                    {
                        if (field.Type == (ushort)wgpeer_attribute.WGPEER_A_PUBLIC_KEY)
                        {
                            keys.Add(new WireGuardKey(field.Payload.ToArray()));
                        }
                    }
                }
            }
        }

        return keys;
    }

    private static int CountOf(string hex, string part)
    {
        int count = 0;
        for (int at = hex.IndexOf(part, StringComparison.Ordinal); at >= 0; at = hex.IndexOf(part, at + 2, StringComparison.Ordinal))
        {
            if (at % 2 == 0)
            {
                count++;
            }
        }

        return count;
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
    public void ConfigureDevice_ErrorOnThirdMessage_StopsThereAndNamesItsNumberAndThePeersItCarried()
    {
        var kernel = new FakeKernel(Port)
        {
            Respond = (req, n) => [n == 2 ? Replies.Error(req, Port, -22, capped: true, extack: "bad peer", offset: 40) : Replies.Ack(req,
                Port)],
        };
        using KernelWireGuardClient control = Control(kernel);
        control.MessageLimit = 1024;
        DeviceConfig config = WireGuardMessageBuilderTests.RandomConfig(new Random(4), 50, 1, 100);

        var e = Assert.Throws<NetlinkErrorException>(() => control.ConfigureDevice("wg0", config));

        Assert.Equal(3, kernel.Sent.Count);
        var carried = PeerKeys(kernel.Sent[2]).Select(key => config.Peers.ToList().FindIndex(p => p.PublicKey == key) + 1).ToList();
        Assert.NotEmpty(carried);
        Assert.DoesNotContain(0, carried);
        Assert.Equal(Enumerable.Range(carried[0], carried.Count), carried);
        Assert.Equal($"WG_CMD_SET_DEVICE wg0 (message 3: peers {carried[0]}-{carried[^1]} of 50)", e.Operation);
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
