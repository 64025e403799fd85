using System.Diagnostics;
using Innernet.Netlink.Protocol;
using Innernet.Netlink.Tests.Support;
using Innernet.Netlink.WireGuard;
using Innernet.Netlink.WireGuard.Kernel;

namespace Innernet.Netlink.Tests.WireGuard;

public class WireGuardMessageBuilderTests
{
    private const ushort Family = 0x1b;

    private static WireGuardKey Fill(byte value) => new(Enumerable.Repeat(value, 32).ToArray());

    /// <summary>A WG_CMD_SET_DEVICE with one peer, byte for byte (hand-assembled, annotated below).</summary>
    private const string GoldenB =
        "8c000000 1b00 0500 02000000 00000000 [nlmsghdr len 140, family 0x1b, REQ|ACK, seq 2]"
        + " 01 01 0000 [genl SET_DEVICE v1] 0800 0200 77673000 [IFNAME wg0]"
        + " 7000 0880 [PEERS len 0x70 |NESTED] 6c00 0080 [peer 0: len 0x6c |NESTED]"
        + " 2400 0100 1111111111111111111111111111111111111111111111111111111111111111 [PUBLIC_KEY]"
        + " 0800 0300 02000000 [FLAGS REPLACE_ALLOWEDIPS]"
        + " 1400 0400 0200 ca6c c0000201 0000000000000000 [ENDPOINT sockaddr_in 192.0.2.1:51820]"
        + " 0600 0500 1900 0000 [KEEPALIVE 25 + pad]"
        + " 2000 0980 [ALLOWEDIPS len 0x20 |NESTED] 1c00 0080 [aip 0]"
        + " 0600 0100 0200 0000 [FAMILY AF_INET + pad] 0800 0200 0a000002 [IPADDR 10.0.0.2] 0500 0300 20 000000 [CIDR 32 + pad]";

    [Fact]
    public void SetDevice_OnePeer_MatchesGoldenBytesB()
    {
        var config = new DeviceConfig
        {
            Peers =
            {
                new PeerConfig
                {
                    PublicKey = Fill(0x11),
                    ReplaceAllowedIPs = true,
                    Endpoint = IPEndPoint.Parse("192.0.2.1:51820"),
                    PersistentKeepaliveInterval = 25,
                    AllowedIPs = { IPNetwork.Parse("10.0.0.2/32") },
                },
            },
        };

        var messages = WireGuardMessageBuilder.BuildSetDevice(Family, "wg0", config);

        Assert.Single(messages);
        NlMsgHeader.PatchSequence(messages[0], 2);
        Hex.Equal(GoldenB, messages[0]);
    }

    [Fact]
    public void SetDevice_DeviceAttributesV6EndpointPskUpdateOnly_MatchesGoldenBytes()
    {
        var config = new DeviceConfig
        {
            PrivateKey = Fill(0xAA),
            ListenPort = 51820,
            FirewallMark = 0x42,
            ReplacePeers = true,
            Peers =
            {
                new PeerConfig
                {
                    PublicKey = Fill(0x22),
                    UpdateOnly = true,
                    PresharedKey = Fill(0x33),
                    Endpoint = IPEndPoint.Parse("[fd00::1]:51821"),
                    PersistentKeepaliveInterval = 0,
                    AllowedIPs = { IPNetwork.Parse("fd00:1::/64") },
                },
            },
        };

        var messages = WireGuardMessageBuilder.BuildSetDevice(Family, "wg0", config);

        NlMsgHeader.PatchSequence(messages[0], 3);
        Hex.Equal(
            "04010000 [len 260] 1b00 0500 03000000 00000000 01 01 0000 0800 0200 77673000 [IFNAME]"
            + " 2400 0300 " + string.Concat(Enumerable.Repeat("aa", 32)) + " [PRIVATE_KEY]"
            + " 0600 0600 6cca 0000 [LISTEN_PORT 51820 host-endian + pad]"
            + " 0800 0700 42000000 [FWMARK] 0800 0500 01000000 [FLAGS REPLACE_PEERS]"
            + " ac00 0880 [PEERS 172] a800 0080 [peer 168]"
            + " 2400 0100 " + string.Concat(Enumerable.Repeat("22", 32)) + " [PUBLIC_KEY]"
            + " 0800 0300 04000000 [FLAGS UPDATE_ONLY]"
            + " 2400 0200 " + string.Concat(Enumerable.Repeat("33", 32)) + " [PRESHARED_KEY]"
            + " 2000 0400 0a00 ca6d 00000000 fd000000000000000000000000000001 00000000 [sockaddr_in6 fd00::1 port 51821 scope 0]"
            + " 0600 0500 0000 0000 [KEEPALIVE 0 = off]"
            + " 2c00 0980 [ALLOWEDIPS 44] 2800 0080 [aip 40] 0600 0100 0a00 0000 [AF_INET6]"
            + " 1400 0200 fd000001000000000000000000000000 [fd00:1::] 0500 0300 40 000000 [/64]",
            messages[0]);
    }

    [Fact]
    public void SetDevice_RemovePeer_SendsOnlyKeyAndRemoveFlag()
    {
        var config = new DeviceConfig
        {
            Peers = { new PeerConfig { PublicKey = Fill(0x44), Remove = true, Endpoint = IPEndPoint.Parse("192.0.2.9:1"),
                AllowedIPs = { IPNetwork.Parse("10.0.0.9/32") } } },
        };

        var messages = WireGuardMessageBuilder.BuildSetDevice(Family, "wg0", config);

        NlMsgHeader.PatchSequence(messages[0], 4);
        Hex.Equal(
            "50000000 [len 80] 1b00 0500 04000000 00000000 01010000 0800 0200 77673000"
            + " 3400 0880 [PEERS 52] 3000 0080 [peer 48] 2400 0100 " + string.Concat(Enumerable.Repeat("44", 32))
            + " 0800 0300 01000000 [FLAGS REMOVE_ME]",
            messages[0]);
    }

    [Fact]
    public void GetDevice_DumpRequest_MatchesGoldenBytes()
    {
        byte[] request = WireGuardMessageBuilder.BuildGetDevice(Family, "wg0");
        NlMsgHeader.PatchSequence(request, 1);
        Hex.Equal(
            "1c000000 [len 28] 1b00 [family] 0103 [REQUEST|DUMP] 01000000 00000000"
            + " 00 [GET_DEVICE] 01 [v1] 0000 0800 0200 77673000 [IFNAME wg0]",
            request);
    }

    internal static DeviceConfig RandomConfig(Random random, int peers, int bigPeers, int bigPeerIPs)
    {
        var config = new DeviceConfig
        {
            PrivateKey = random.Next(2) == 0 ? null : RandomKey(random),
            ListenPort = random.Next(2) == 0 ? null : (ushort)random.Next(65536),
            FirewallMark = random.Next(2) == 0 ? null : (uint)random.Next(),
            ReplacePeers = random.Next(2) == 0,
        };
        var bigIndexes = new HashSet<int>(Enumerable.Range(0, bigPeers).Select(_ => random.Next(peers)));
        for (int i = 0; i < peers; i++)
        {
            int count = bigIndexes.Contains(i) ? bigPeerIPs : random.Next(0, 5);
            var peer = new PeerConfig
            {
                PublicKey = RandomKey(random),
                Remove = random.Next(20) == 0,
                UpdateOnly = random.Next(4) == 0,
                ReplaceAllowedIPs = random.Next(2) == 0,
                PresharedKey = random.Next(3) == 0 ? RandomKey(random) : null,
                Endpoint = random.Next(3) switch
                {
                    0 => null,
                    1 => new IPEndPoint(new IPAddress(random.NextInt64(1, uint.MaxValue)), random.Next(1, 65536)),
                    _ => new IPEndPoint(IPAddress.Parse($"fd00::{random.Next(65536):x}"), random.Next(1, 65536)),
                },
                PersistentKeepaliveInterval = random.Next(2) == 0 ? null : (ushort)random.Next(0, 100),
            };
            for (int k = 0; k < count; k++)
            {
                if (random.Next(3) == 0)
                {
                    var bytes = new byte[16];
                    random.NextBytes(bytes);
                    bytes[0] = 0xfd;
                    int prefix = random.Next(8, 129);
                    peer.AllowedIPs.Add(new IPNetwork(Innernet.Netlink.Route.InterfaceAddress.Mask(new IPAddress(bytes), prefix), prefix));
                }
                else
                {
                    int prefix = random.Next(0, 33);
                    var address = new IPAddress(random.NextInt64(0, uint.MaxValue));
                    peer.AllowedIPs.Add(new IPNetwork(Innernet.Netlink.Route.InterfaceAddress.Mask(address, prefix), prefix));
                }
            }

            config.Peers.Add(peer);
        }

        return config;
    }

    private static WireGuardKey RandomKey(Random random)
    {
        var bytes = new byte[32];
        random.NextBytes(bytes);
        return new WireGuardKey(bytes);
    }

    private static void AssertSplitRules(DeviceConfig config, List<byte[]> messages, int limit)
    {
        var decoded = SetDeviceDecoder.Decode(messages, Family);
        for (int i = 0; i < decoded.Messages.Count; i++)
        {
            var m = decoded.Messages[i];
            Assert.True(m.Length <= limit, $"message {i} is {m.Length} bytes > {limit}");
            Assert.Equal("wg0", m.Name);
            if (i > 0)
            {
                Assert.False(m.HasDeviceAttributes);
                Assert.Null(m.DeviceFlags);
            }

            // A fragment that continues the previous message's last peer never re-states REPLACE_ALLOWEDIPS or the
            // first-only attributes, but keeps UPDATE_ONLY.
            if (i > 0 && m.Peers.Count > 0 && decoded.Messages[i - 1].Peers.Count > 0
                && decoded.Messages[i - 1].Peers[^1].Key == m.Peers[0].Key)
            {
                var original = config.Peers.First(p => p.PublicKey == m.Peers[0].Key);
                Assert.Equal(original.UpdateOnly ? 4u : (uint?)null, m.Peers[0].Flags);
                Assert.False(m.Peers[0].HasEndpoint || m.Peers[0].HasPsk || m.Peers[0].HasKeepalive);
            }
        }

        Assert.Equal(SetDeviceDecoder.Describe(config), SetDeviceDecoder.Describe(decoded.Merged));
    }

    [Fact]
    public void Split_TenThousandPeersWithHugeAllowedIPLists_RespectsLimitsAndRoundTrips()
    {
        var random = new Random(1234);
        DeviceConfig config = RandomConfig(random, peers: 10_000, bigPeers: 12, bigPeerIPs: 3000);

        var stopwatch = Stopwatch.StartNew();
        List<byte[]> messages = WireGuardMessageBuilder.BuildSetDevice(Family, "wg0", config);
        stopwatch.Stop();

        AssertSplitRules(config, messages, WireGuardMessageBuilder.DefaultMessageLimit);
        long total = messages.Sum(m => (long)m.Length);
        int ips = config.Peers.Sum(p => p.AllowedIPs.Count);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"10,000 peers / {ips} allowed IPs: {messages.Count} messages, {total} bytes, "
            + $"encoded in {stopwatch.Elapsed.TotalMilliseconds:F1} ms");
        Assert.InRange(messages.Count, (int)(total / WireGuardMessageBuilder.DefaultMessageLimit) + 1, (int)(total / 16_384) + 2);
    }

    [Fact]
    public void Split_TypicalPeers_FillsMessagesByBytes()
    {
        // 10,000 typical peers (key, flags, v4 endpoint, keepalive, one /32) = 108 bytes each: 4 nest + 36 key
        // + 8 flags + 20 endpoint + 8 keepalive + 32 allowed IP (nests, family, address and mask).
        var config = new DeviceConfig { ReplacePeers = true };
        var random = new Random(7);
        for (int i = 0; i < 10_000; i++)
        {
            var key = new byte[32];
            random.NextBytes(key);
            config.Peers.Add(new PeerConfig
            {
                PublicKey = new WireGuardKey(key),
                ReplaceAllowedIPs = true,
                Endpoint = new IPEndPoint(IPAddress.Parse("198.18.0.1"), 51820),
                PersistentKeepaliveInterval = 25,
                AllowedIPs = { new IPNetwork(new IPAddress(0x0A000000u + (uint)i), 32) },
            });
        }

        var stopwatch = Stopwatch.StartNew();
        List<byte[]> messages = WireGuardMessageBuilder.BuildSetDevice(Family, "wg0", config);
        stopwatch.Stop();
        long total = messages.Sum(m => (long)m.Length);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"10,000 typical peers: {messages.Count} messages, {total} bytes, {stopwatch.Elapsed.TotalMilliseconds:F1} ms");

        Assert.Equal(10_000 * 108, total - (messages.Count * (16 + 4 + 8 + 4)) - 8);
        Assert.All(messages.SkipLast(1), m => Assert.InRange(m.Length, 32 * 1024 - 108, 32 * 1024));
        AssertSplitRules(config, messages, WireGuardMessageBuilder.DefaultMessageLimit);
    }

    [Fact]
    public void Split_SmallLimits_RandomConfigs_AlwaysRoundTrip()
    {
        var random = new Random(99);
        for (int i = 0; i < 300; i++)
        {
            int limit = random.Next(300, 3000);
            DeviceConfig config = RandomConfig(random, peers: random.Next(0, 12), bigPeers: 1, bigPeerIPs: random.Next(0, 200));
            List<byte[]> messages = WireGuardMessageBuilder.BuildSetDevice(Family, "wg0", config, limit);
            AssertSplitRules(config, messages, limit);
        }
    }

    [Fact]
    public void Split_LimitTooSmall_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => WireGuardMessageBuilder.BuildSetDevice(Family, "wg0", new DeviceConfig(), 100));
}
