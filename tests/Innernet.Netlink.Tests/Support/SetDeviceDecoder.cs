using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Innernet.Netlink.Protocol;
using Innernet.Netlink.WireGuard;
using static Innernet.Netlink.Interop.LinuxWireGuard;

namespace Innernet.Netlink.Tests.Support;

/// <summary>
/// Test-side decoder of our own WG_CMD_SET_DEVICE messages (strict reader), recording per message which
/// attributes and flags appeared, and merging fragments back into a canonical description of the config.
/// </summary>
internal sealed class SetDeviceDecoder
{
    public sealed record PeerFragment(WireGuardKey Key, uint? Flags, bool HasPsk, bool HasEndpoint, bool HasKeepalive, PeerConfig Values);

    public sealed record Message(string? Name, bool HasDeviceAttributes, uint? DeviceFlags, List<PeerFragment> Peers, int Length);

    public List<Message> Messages { get; } = [];

    public DeviceConfig Merged { get; } = new();

    public static SetDeviceDecoder Decode(IReadOnlyList<byte[]> messages, ushort familyId)
    {
        var decoder = new SetDeviceDecoder();
        PeerConfig? last = null;
        foreach (byte[] bytes in messages)
        {
            var reader = new NetlinkMessageReader(bytes);
            Assert.True(reader.MoveNext());
            var m = reader.Current;
            Assert.Equal(familyId, m.Header.Type);
            Assert.Equal(0x5, m.Header.Flags);
            Assert.Equal((uint)bytes.Length, m.Header.Length);
            var genl = GenlMsgHeader.Read(m.Payload);
            Assert.Equal(new GenlMsgHeader(1, 1), genl);
            Assert.Equal(0, m.Payload[2] | m.Payload[3]); // reserved
            string? name = null;
            bool device = false;
            uint? deviceFlags = null;
            var peers = new List<PeerFragment>();
            foreach (var a in new AttributeReader(m.Payload[GenlMsgHeader.Size..]))
            {
                Assert.NotEqual(0, a.Type);
                switch ((wgdevice_attribute)a.Type)
                {
                    case wgdevice_attribute.WGDEVICE_A_IFNAME:
                        name = a.GetString();
                        break;
                    case wgdevice_attribute.WGDEVICE_A_PRIVATE_KEY:
                        device = true;
                        decoder.Merged.PrivateKey = new WireGuardKey(a.GetBytes(32));
                        break;
                    case wgdevice_attribute.WGDEVICE_A_LISTEN_PORT:
                        device = true;
                        decoder.Merged.ListenPort = a.GetU16();
                        break;
                    case wgdevice_attribute.WGDEVICE_A_FWMARK:
                        device = true;
                        decoder.Merged.FirewallMark = a.GetU32();
                        break;
                    case wgdevice_attribute.WGDEVICE_A_FLAGS:
                        deviceFlags = a.GetU32();
                        decoder.Merged.ReplacePeers |= (deviceFlags.Value & 1) != 0;
                        break;
                    case wgdevice_attribute.WGDEVICE_A_PEERS:
                        Assert.True(a.IsNested);
                        foreach (var p in a.GetNested())
                        {
                            Assert.True(p.IsNested);
                            Assert.Equal(0, p.Type);
                            var fragment = DecodePeer(p.Payload);
                            peers.Add(fragment);
                            if (last is not null && last.PublicKey == fragment.Key && !fragment.HasPsk && !fragment.HasEndpoint
                                && !fragment.HasKeepalive
                                && (fragment.Flags.GetValueOrDefault() & (uint)wgpeer_flag.WGPEER_F_REPLACE_ALLOWEDIPS) == 0
                                && !last.Remove && decoder.LastWasSplit)
                            {
                                foreach (var ip in fragment.Values.AllowedIPs)
                                {
                                    last.AllowedIPs.Add(ip);
                                }
                            }
                            else
                            {
                                last = fragment.Values;
                                decoder.Merged.Peers.Add(last);
                            }

                            decoder.LastWasSplit = false;
                        }

                        break;
                    default:
                        Assert.Fail($"unexpected device attribute {a.Type}");
                        break;
                }
            }

            decoder.Messages.Add(new Message(name, device, deviceFlags, peers, bytes.Length));
            decoder.LastWasSplit = true; // The next message may continue the last peer.
        }

        return decoder;
    }

    private bool LastWasSplit { get; set; }

    private static PeerFragment DecodePeer(ReadOnlySpan<byte> attributes)
    {
        WireGuardKey? key = null;
        uint? flags = null;
        var values = new PeerConfig { PublicKey = default };
        bool psk = false, endpoint = false, keepalive = false;
        var ips = new List<IPNetwork>();
        foreach (var a in new AttributeReader(attributes))
        {
            Assert.NotEqual(0, a.Type);
            switch ((wgpeer_attribute)a.Type)
            {
                case wgpeer_attribute.WGPEER_A_PUBLIC_KEY:
                    key = new WireGuardKey(a.GetBytes(32));
                    break;
                case wgpeer_attribute.WGPEER_A_FLAGS:
                    flags = a.GetU32();
                    break;
                case wgpeer_attribute.WGPEER_A_PRESHARED_KEY:
                    psk = true;
                    values.PresharedKey = new WireGuardKey(a.GetBytes(32));
                    break;
                case wgpeer_attribute.WGPEER_A_ENDPOINT:
                    endpoint = true;
                    ReadOnlySpan<byte> s = a.Payload;
                    ushort family = MemoryMarshal.Read<ushort>(s);
                    int port = BinaryPrimitives.ReadUInt16BigEndian(s[2..]);
                    values.Endpoint = family == 2
                        ? new IPEndPoint(new IPAddress(s.Slice(4, 4)), port)
                        : new IPEndPoint(new IPAddress(s.Slice(8, 16), MemoryMarshal.Read<uint>(s[24..])), port);
                    Assert.Equal(family == 2 ? 16 : 28, s.Length);
                    break;
                case wgpeer_attribute.WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL:
                    keepalive = true;
                    values.PersistentKeepaliveInterval = a.GetU16();
                    break;
                case wgpeer_attribute.WGPEER_A_ALLOWEDIPS:
                    Assert.True(a.IsNested);
                    foreach (var e in a.GetNested())
                    {
                        Assert.True(e.IsNested);
                        ushort fam = 0;
                        IPAddress? address = null;
                        int cidr = -1;
                        foreach (var f in e.GetNested())
                        {
                            switch ((wgallowedip_attribute)f.Type)
                            {
                                case wgallowedip_attribute.WGALLOWEDIP_A_FAMILY: fam = f.GetU16(); break;
                                case wgallowedip_attribute.WGALLOWEDIP_A_IPADDR: address = f.GetAddress(); break;
                                case wgallowedip_attribute.WGALLOWEDIP_A_CIDR_MASK: cidr = f.GetU8(); break;
                                default: Assert.Fail("unexpected allowed-ip attribute"); break;
                            }
                        }

                        Assert.Equal(address!.AddressFamily == AddressFamily.InterNetwork ? 2 : 10, fam);
                        ips.Add(new IPNetwork(address, cidr));
                    }

                    break;
                default:
                    Assert.Fail($"unexpected peer attribute {a.Type}");
                    break;
            }
        }

        Assert.NotNull(key);
        var result = new PeerConfig
        {
            PublicKey = key.Value,
            Remove = (flags.GetValueOrDefault() & (uint)wgpeer_flag.WGPEER_F_REMOVE_ME) != 0,
            UpdateOnly = (flags.GetValueOrDefault() & (uint)wgpeer_flag.WGPEER_F_UPDATE_ONLY) != 0,
            ReplaceAllowedIPs = (flags.GetValueOrDefault() & (uint)wgpeer_flag.WGPEER_F_REPLACE_ALLOWEDIPS) != 0,
            PresharedKey = values.PresharedKey,
            Endpoint = values.Endpoint,
            PersistentKeepaliveInterval = values.PersistentKeepaliveInterval,
            AllowedIPs = ips,
        };
        return new PeerFragment(key.Value, flags, psk, endpoint, keepalive, result);
    }

    /// <summary>A canonical text form of a config, for equality checks.</summary>
    public static string Describe(DeviceConfig c)
    {
        var sb = new StringBuilder();
        sb.Append($"pk={c.PrivateKey?.ToBase64()} port={c.ListenPort} mark={c.FirewallMark} replace={c.ReplacePeers}\n");
        foreach (var p in c.Peers)
        {
            if (p.Remove)
            {
                sb.Append($"{p.PublicKey.ToBase64()} removed\n");
                continue;
            }

            sb.Append($"{p.PublicKey.ToBase64()} uo={p.UpdateOnly} rai={p.ReplaceAllowedIPs} psk={p.PresharedKey?.ToBase64()}");
            sb.Append($" ep={p.Endpoint} ka={p.PersistentKeepaliveInterval}");
            sb.Append(" ips=").AppendJoin(',', p.AllowedIPs);

            sb.Append('\n');
        }

        return sb.ToString();
    }
}
