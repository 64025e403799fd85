using System.Buffers.Binary;
using System.Globalization;
using Innernet.Netlink.Interop;
using Innernet.Netlink.Sockets;
using Innernet.Netlink.Tests.Support;
using Innernet.Netlink.WireGuard;
using Innernet.Netlink.WireGuard.Kernel;

namespace Innernet.Netlink.Tests.WireGuard;

/// <summary>
/// Real Generic Netlink traffic between wg(8) and the kernel's WireGuard module (Fixtures/kernel, recorded on an nlmon
/// device in the kernel layer's VM by tests/harness/capture-netlink-fixtures.sh; captured-on.txt names the kernel and
/// wireguard-tools). The oracle is wireguard-tools, not this library: the dump is checked against what
/// <c>wg show dump</c> printed for it, and our SET encoding against the request wg sent for the same configuration.
/// </summary>
public sealed class KernelCaptureTests
{
    private const string Device = "wgfx0";

    private static readonly string Directory = Path.Combine(AppContext.BaseDirectory, "Fixtures", "kernel");

    [Fact]
    public void FamilyLookup_TheKernelsControlReply_GivesTheIdWgThenUsed()
    {
        var show = Capture("show.hex");
        ushort? family = GenericFamilyResolver.ParseFamilyId(show.Where(m => m.FromKernel).Select(m => m.Bytes), "wireguard");

        // wg's GET_DEVICE request is addressed to the family id the kernel answered.
        var getDevice = show.First(m => !m.FromKernel && m.Type != LinuxGenetlink.GENL_ID_CTRL);
        Assert.Equal(getDevice.Type, family);
    }

    [Fact]
    public void GetDevice_TheKernelsMultiMessageDump_ReadsAsWgShowDumpPrintedIt()
    {
        var show = Capture("show.hex");
        var getDevice = show.First(m => !m.FromKernel && m.Type != LinuxGenetlink.GENL_ID_CTRL);
        var replies = show.Where(m => m.FromKernel && m.Type == getDevice.Type && m.Sequence == getDevice.Sequence)
            .Select(m => m.Bytes).ToList();
        Assert.True(replies.Count > 1, $"the capture should hold a dump of several messages, has {replies.Count}");

        var device = WireGuardDumpParser.Parse(replies, getDevice.Type, Device);

        string[] dump = File.ReadAllLines(Path.Combine(Directory, "show-dump.txt"));
        string[] own = dump[0].Split('\t');
        Assert.Equal(own[0], device.PrivateKey?.ToBase64());
        Assert.Equal(own[1], device.PublicKey?.ToBase64());
        Assert.Equal(own[2], device.ListenPort.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(own[3], device.FirewallMark == 0 ? "off" : $"0x{device.FirewallMark:x}");
        Assert.Equal(dump.Length - 1, device.Peers.Count);
        for (int i = 1; i < dump.Length; i++)
        {
            string[] f = dump[i].Split('\t');
            var peer = device.Peers[i - 1];
            string where = $"peer {i} ({f[0]})";
            Assert.True(f[0] == peer.PublicKey.ToBase64(), where);
            Assert.True(f[1] == (peer.PresharedKey?.ToBase64() ?? "(none)"), $"{where}: preshared key");
            Assert.True(f[2] == WgEndpoint(peer.Endpoint), $"{where}: endpoint {f[2]}");
            string allowed = peer.AllowedIPs.Count == 0 ? "(none)" : string.Join(',', peer.AllowedIPs);
            Assert.True(f[3] == allowed, $"{where}: allowed IPs {f[3]}");
            long handshake = peer.LastHandshake?.ToUnixTimeSeconds() ?? 0;
            Assert.True(f[4] == handshake.ToString(CultureInfo.InvariantCulture), where);
            Assert.True(f[5] == peer.ReceiveBytes.ToString(CultureInfo.InvariantCulture), where);
            Assert.True(f[6] == peer.TransmitBytes.ToString(CultureInfo.InvariantCulture), where);
            string keepalive = peer.PersistentKeepaliveInterval == 0
                ? "off"
                : peer.PersistentKeepaliveInterval.ToString(CultureInfo.InvariantCulture);
            Assert.True(f[7] == keepalive, where);
        }
    }

    [Fact]
    public void SetDevice_OurEncodingOfTheConfiguration_SaysWhatWgSentForIt()
    {
        var set = Capture("set.hex");
        var requests = set.Where(m => !m.FromKernel && m.Type != LinuxGenetlink.GENL_ID_CTRL).ToList();
        ushort family = requests[0].Type;
        var sent = SetDeviceDecoder.Decode([.. requests.Select(m => m.Bytes)], family);

        // Every request was acknowledged without error: an NLMSG_ERROR with error 0 for each, after the first (wg numbers its
        // family lookup and its SET requests alike).
        var acks = set.Skip(set.IndexOf(requests[0])).Where(m => m.FromKernel && m.Type == LinuxNetlink.NLMSG_ERROR).ToList();
        Assert.Equal(requests.Select(r => r.Sequence), acks.Select(a => a.Sequence));
        Assert.All(acks, a => Assert.Equal(0, BinaryPrimitives.ReadInt32LittleEndian(a.Bytes.AsSpan(16))));

        // The module wipes the private and preshared keys in the request once it has taken them (memzero_explicit), and
        // nlmon's copy shares those bytes: the capture holds zeros where the keys were. The keys are compared as "present".
        Assert.Equal(new WireGuardKey(new byte[32]), sent.Merged.PrivateKey);
        Assert.All(
            sent.Merged.Peers.Where(p => p.PresharedKey is not null), p => Assert.Equal(new WireGuardKey(new byte[32]), p.PresharedKey));

        var config = ReadConfig(File.ReadAllLines(Path.Combine(Directory, "config.txt")));
        var ours = SetDeviceDecoder.Decode(WireGuardMessageBuilder.BuildSetDevice(family, Device, config), family);
        Assert.Equal(Describe(sent.Merged), Describe(ours.Merged));
        Assert.Equal(Describe(config), Describe(sent.Merged));
        Assert.Equal(config.PrivateKey, ours.Merged.PrivateKey);
    }

    private static string WgEndpoint(IPEndPoint? endpoint) => endpoint switch
    {
        null => "(none)",
        { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 } => $"[{endpoint.Address}]:{endpoint.Port}",
        _ => endpoint.ToString(),
    };

    /// <summary>The configuration as capture-netlink.py gave it to wg(8): device lines, then one "peer KEY ..." per peer.</summary>
    private static DeviceConfig ReadConfig(string[] lines)
    {
        var config = new DeviceConfig();
        foreach (string line in lines)
        {
            string[] words = line.Split(' ');
            switch (words[0])
            {
                case "private-key":
                    config.PrivateKey = WireGuardKey.Parse(words[1]);
                    break;
                case "listen-port":
                    config.ListenPort = ushort.Parse(words[1], CultureInfo.InvariantCulture);
                    break;
                case "fwmark":
                    config.FirewallMark = uint.Parse(words[1].AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    break;
                case "peer":
                    var peer = new PeerConfig { PublicKey = WireGuardKey.Parse(words[1]) };
                    for (int i = 2; i < words.Length; i += 2)
                    {
                        switch (words[i])
                        {
                            case "endpoint":
                                peer.Endpoint = IPEndPoint.Parse(words[i + 1]);
                                break;
                            case "preshared-key":
                                peer.PresharedKey = WireGuardKey.Parse(words[i + 1]);
                                break;
                            case "persistent-keepalive":
                                peer.PersistentKeepaliveInterval = ushort.Parse(words[i + 1], CultureInfo.InvariantCulture);
                                break;
                            case "allowed-ips":
                                // wg's allowed-ips replaces the peer's list.
                                peer.ReplaceAllowedIPs = true;
                                foreach (string ip in words[i + 1].Split(','))
                                {
                                    peer.AllowedIPs.Add(IPNetwork.Parse(ip));
                                }

                                break;
                            default:
                                throw new InvalidDataException($"config.txt: unknown peer setting '{words[i]}'");
                        }
                    }

                    config.Peers.Add(peer);
                    break;
                default:
                    throw new InvalidDataException($"config.txt: unknown line '{line}'");
            }
        }

        return config;
    }

    private static string Describe(DeviceConfig config)
    {
        var lines = new List<string>
        {
            $"private {config.PrivateKey is not null} port {config.ListenPort} fwmark {config.FirewallMark} replace {config.ReplacePeers}",
        };
        lines.AddRange(config.Peers.Select(p =>
            $"peer {p.PublicKey.ToBase64()} psk {p.PresharedKey is not null} endpoint {p.Endpoint} keepalive "
            + $"{p.PersistentKeepaliveInterval} replace-ips {p.ReplaceAllowedIPs} ips {string.Join(',', p.AllowedIPs)}"));
        return string.Join('\n', lines);
    }

    private static List<Captured> Capture(string file)
    {
        var messages = new List<Captured>();
        foreach (string line in File.ReadAllLines(Path.Combine(Directory, file)))
        {
            if (line.Length == 0)
            {
                continue;
            }

            // One line is what nlmon saw as one packet: a socket buffer, which may hold several messages (the kernel puts
            // NLMSG_DONE behind a dump's last part). Each starts at a 4-byte boundary.
            byte[] packet = Convert.FromHexString(line.AsSpan(2));
            for (int at = 0; at < packet.Length;)
            {
                int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(packet.AsSpan(at));
                Assert.InRange(length, 16, packet.Length - at);
                messages.Add(new Captured(line[0] == 'k', packet[at..(at + length)]));
                at += (length + 3) & ~3;
            }
        }

        return messages;
    }

    /// <summary>One recorded message: who sent it, and its bytes (one netlink message, header included).</summary>
    private sealed record Captured(bool FromKernel, byte[] Bytes)
    {
        public ushort Type => BinaryPrimitives.ReadUInt16LittleEndian(Bytes.AsSpan(4));

        public uint Sequence => BinaryPrimitives.ReadUInt32LittleEndian(Bytes.AsSpan(8));
    }
}
