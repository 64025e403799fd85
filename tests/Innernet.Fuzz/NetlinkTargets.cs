using System.Net;
using Innernet.Netlink;
using Innernet.Netlink.WireGuard;
using Innernet.Netlink.WireGuard.Kernel;
using Innernet.Testing.Fuzzing;

namespace Innernet.Fuzz;

/// <summary>
/// The kernel WireGuard dump parser: one datagram of generic netlink messages → a device; only
/// NetlinkProtocolException. The seeds are our own SET encodings (a subset of the GET layout the parser reads),
/// split into several messages per datagram, so there are no binary seed files to keep in step with the encoder.
/// </summary>
internal static class NetlinkTargets
{
    private const ushort FamilyId = 0x1b;
    private const int SmallMessageLimit = 512;

    public static FuzzTarget WireGuardDump() => new()
    {
        Name = "wg-dump",
        Description = "kernel WireGuard GET_DEVICE dump datagrams → WireGuardDevice; only NetlinkProtocolException",
        Seeds = DumpSeeds,
        Dictionary = [],
        Run = bytes => WireGuardDumpParser.Parse([bytes], FamilyId, "wgfuzz0"),
        IsDocumented = e => e is NetlinkProtocolException,
    };

    private static List<byte[]> DumpSeeds()
    {
        var random = new Random(1);
        var seeds = new List<byte[]>();
        foreach (int peers in new[] { 0, 1, 3, 8 })
        {
            var config = new DeviceConfig
            {
                PrivateKey = Key(random),
                ListenPort = (ushort)random.Next(65536),
                FirewallMark = (uint)random.Next(),
            };
            for (int i = 0; i < peers; i++)
            {
                var peer = new PeerConfig
                {
                    PublicKey = Key(random),
                    PresharedKey = i % 2 == 0 ? Key(random) : null,
                    PersistentKeepaliveInterval = 25,
                    Endpoint = i % 3 == 0
                        ? new IPEndPoint(IPAddress.Parse($"198.18.0.{i + 1}"), 51820 + i)
                        : new IPEndPoint(IPAddress.Parse($"fd00::{i + 1:x}"), 51820),
                };
                peer.AllowedIPs.Add(IPNetwork.Parse($"10.66.{i}.0/24"));
                peer.AllowedIPs.Add(IPNetwork.Parse($"fd00:{i:x}::/64"));
                config.Peers.Add(peer);
            }

            // One datagram holding every message of the dump, as a multi-part reply arrives.
            seeds.Add([.. WireGuardMessageBuilder.BuildSetDevice(FamilyId, "wgfuzz0", config, SmallMessageLimit).SelectMany(m => m)]);
        }

        return seeds;
    }

    private static WireGuardKey Key(Random random)
    {
        var bytes = new byte[WireGuardKey.Size];
        random.NextBytes(bytes);
        return new WireGuardKey(bytes);
    }
}
