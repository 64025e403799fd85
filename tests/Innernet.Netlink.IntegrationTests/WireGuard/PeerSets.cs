using System.Net;
using Innernet.Netlink.WireGuard;
using Innernet.Testing;

namespace Innernet.Netlink.IntegrationTests.WireGuard;

/// <summary>Generates peer configurations for the contract tests and compares read-backs with them.</summary>
internal static class PeerSets
{
    /// <summary>
    /// <paramref name="count"/> peers with random keys and one /32 each (10.x.y.z, distinct). With
    /// <paramref name="withEndpointsAndKeepalive"/>, a third get an IPv4 endpoint (198.18/15), a third
    /// an IPv6 endpoint (fd00::/8), the rest none; keepalive varies (0 = off included).
    /// </summary>
    public static List<PeerConfig> Random(int count, bool withEndpointsAndKeepalive, int firstHost = 1)
    {
        var peers = new List<PeerConfig>(count);
        for (int i = 0; i < count; i++)
        {
            int host = firstHost + i;
            var peer = new PeerConfig
            {
                PublicKey = TestKeys.RandomKey(),
                AllowedIPs = { new IPNetwork(new IPAddress(new byte[] { 10, (byte)(host >> 16), (byte)(host >> 8), (byte)host }), 32) },
            };
            if (withEndpointsAndKeepalive)
            {
                peer.Endpoint = (i % 3) switch
                {
                    0 => new IPEndPoint(new IPAddress(new byte[] { 198, (byte)(18 + ((host >> 16) & 1)), (byte)(host >> 8), (byte)host }),
                        1024 + (i % 60000)),
                    1 => new IPEndPoint(IPAddress.Parse($"fd00:18::{host:x}"), 51820),
                    _ => null,
                };
                peer.PersistentKeepaliveInterval = (ushort)(i % 4 == 0 ? 0 : 1 + (i % 600));
            }

            peers.Add(peer);
        }

        return peers;
    }

    /// <summary>
    /// Asserts the device holds exactly <paramref name="expected"/> (by public key): same endpoints,
    /// keepalive, preshared key presence, and the same allowed-IP sets (order-insensitive: the kernel
    /// reports allowed IPs in trie order).
    /// </summary>
    public static void AssertMatches(IEnumerable<PeerConfig> expected, WireGuardDevice device)
    {
        var want = expected.ToDictionary(p => p.PublicKey);
        Assert.Equal(want.Count, device.Peers.Count);
        var seen = new HashSet<WireGuardKey>();
        foreach (var actual in device.Peers)
        {
            Assert.True(seen.Add(actual.PublicKey), $"peer {actual.PublicKey} reported twice (fragments not merged?)");
            Assert.True(want.TryGetValue(actual.PublicKey, out var config), $"unexpected peer {actual.PublicKey}");
            Assert.Equal(config.Endpoint, actual.Endpoint);
            Assert.Equal(config.PersistentKeepaliveInterval ?? 0, actual.PersistentKeepaliveInterval);
            var wantPsk = config.PresharedKey is { IsZero: false } psk ? psk : (WireGuardKey?)null;
            Assert.Equal(wantPsk, actual.PresharedKey);
            AssertSameNetworks(config.AllowedIPs, actual.AllowedIPs, actual.PublicKey.ToString());
        }
    }

    public static void AssertSameNetworks(IEnumerable<IPNetwork> expected, IEnumerable<IPNetwork> actual, string context)
    {
        var want = expected.Select(n => n.ToString()).Order(StringComparer.Ordinal).ToList();
        var got = actual.Select(n => n.ToString()).Order(StringComparer.Ordinal).ToList();
        Assert.True(want.Count == got.Count, $"{context}: expected {want.Count} allowed IPs, got {got.Count}");
        Assert.Equal(want, got);
    }

    /// <summary><paramref name="v4"/> distinct IPv4 and <paramref name="v6"/> distinct IPv6 prefixes of mixed lengths.</summary>
    public static List<IPNetwork> ManyAllowedIPs(int v4, int v6)
    {
        var list = new List<IPNetwork>(v4 + v6);
        for (int i = 0; i < v4; i++)
        {
            // /32s in 10.200.0.0/16 and, every 10th, a /24 from 10.201.0.0/24 on
            list.Add(i % 10 == 9
                ? new IPNetwork(new IPAddress(new byte[] { 10, (byte)(201 + (i / 10 / 256)), (byte)(i / 10), 0 }), 24)
                : new IPNetwork(new IPAddress(new byte[] { 10, 200, (byte)(i >> 8), (byte)i }), 32));
        }

        for (int i = 0; i < v6; i++)
        {
            list.Add(i % 5 == 4
                ? new IPNetwork(IPAddress.Parse($"fd00:201:{i:x}::"), 64)
                : new IPNetwork(IPAddress.Parse($"fd00:200::{i:x}"), 128));
        }

        return list;
    }
}
