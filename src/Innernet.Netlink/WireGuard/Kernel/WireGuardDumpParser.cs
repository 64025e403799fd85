using System.Linq;
using System.Buffers.Binary;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Innernet.Netlink.Errors;
using Innernet.Netlink.Protocol;
using static Innernet.Netlink.Interop.LinuxSocket;
using static Innernet.Netlink.Interop.LinuxWireGuard;

namespace Innernet.Netlink.WireGuard.Kernel;

/// <summary>
/// Pure decoder of a <c>WG_CMD_GET_DEVICE</c> dump: device attributes from any
/// message that has them (message 1 in practice; continuations carry only <c>WGDEVICE_A_PEERS</c>), peers merged
/// by public key in O(n) with a dictionary (a peer split across messages gets its allowed IPs appended),
/// unknown and type-0 (padding) attributes skipped, every length validated.
/// </summary>
internal static class WireGuardDumpParser
{
    private const long TicksPerNanosecondDivisor = 100;
    private static readonly long MaxUnixSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    /// <summary>Merges the data messages of one dump into a device.</summary>
    /// <exception cref="NetlinkProtocolException">A message or attribute is malformed.</exception>
    public static WireGuardDevice Parse(IEnumerable<byte[]> messages, ushort familyId, string requestedName)
    {
        var device = new DeviceAccumulator { Name = requestedName };
        foreach (byte[] bytes in messages)
        {
            foreach (NetlinkMessage message in new NetlinkMessageReader(bytes))
            {
                if (message.Header.Type != familyId)
                {
                    continue;
                }

                GenlMsgHeader.Read(message.Payload);
                ParseDeviceAttributes(message.Payload[GenlMsgHeader.Size..], device);
            }
        }

        return device.ToDevice();
    }

    private static void ParseDeviceAttributes(ReadOnlySpan<byte> attributes, DeviceAccumulator device)
    {
        foreach (NetlinkAttribute attribute in new AttributeReader(attributes))
        {
            switch ((wgdevice_attribute)attribute.Type)
            {
                case wgdevice_attribute.WGDEVICE_A_IFINDEX:
                    device.Index = (int)attribute.GetU32();
                    break;
                case wgdevice_attribute.WGDEVICE_A_IFNAME:
                    device.Name = attribute.GetString();
                    break;
                case wgdevice_attribute.WGDEVICE_A_PRIVATE_KEY:
                    device.PrivateKey = Key(attribute);
                    break;
                case wgdevice_attribute.WGDEVICE_A_PUBLIC_KEY:
                    device.PublicKey = Key(attribute);
                    break;
                case wgdevice_attribute.WGDEVICE_A_LISTEN_PORT:
                    device.ListenPort = attribute.GetU16();
                    break;
                case wgdevice_attribute.WGDEVICE_A_FWMARK:
                    device.FirewallMark = attribute.GetU32();
                    break;
                case wgdevice_attribute.WGDEVICE_A_PEERS:
                    foreach (NetlinkAttribute peer in attribute.GetNested())
                    {
                        ParsePeer(peer.Payload, device);
                    }

                    break;
            }
        }
    }

    private static void ParsePeer(ReadOnlySpan<byte> attributes, DeviceAccumulator device)
    {
        // The public key identifies the peer but need not come first: read it before the rest.
        WireGuardKey? publicKey = null;
        foreach (NetlinkAttribute attribute in new AttributeReader(attributes))
        {
            if ((wgpeer_attribute)attribute.Type == wgpeer_attribute.WGPEER_A_PUBLIC_KEY)
            {
                publicKey = Key(attribute);
            }
        }

        if (publicKey is not { } key)
        {
            ThrowHelper.ThrowProtocol("A WireGuard peer in the dump has no WGPEER_A_PUBLIC_KEY.");
            return;
        }

        if (!device.PeersByKey.TryGetValue(key, out PeerAccumulator? peer))
        {
            peer = new PeerAccumulator(key);
            device.PeersByKey.Add(key, peer);
            device.PeerOrder.Add(peer);
        }

        foreach (NetlinkAttribute attribute in new AttributeReader(attributes))
        {
            switch ((wgpeer_attribute)attribute.Type)
            {
                case wgpeer_attribute.WGPEER_A_PRESHARED_KEY:
                    WireGuardKey psk = Key(attribute);
                    peer.PresharedKey = psk.IsZero ? null : psk;
                    break;
                case wgpeer_attribute.WGPEER_A_ENDPOINT:
                    peer.Endpoint = Endpoint(attribute.Payload);
                    break;
                case wgpeer_attribute.WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL:
                    peer.Keepalive = attribute.GetU16();
                    break;
                case wgpeer_attribute.WGPEER_A_LAST_HANDSHAKE_TIME:
                    peer.LastHandshake = Timespec(attribute.GetBytes(SizeOfKernelTimespec));
                    break;
                case wgpeer_attribute.WGPEER_A_RX_BYTES:
                    peer.ReceiveBytes = attribute.GetU64();
                    break;
                case wgpeer_attribute.WGPEER_A_TX_BYTES:
                    peer.TransmitBytes = attribute.GetU64();
                    break;
                case wgpeer_attribute.WGPEER_A_PROTOCOL_VERSION:
                    peer.ProtocolVersion = (int)attribute.GetU32();
                    break;
                case wgpeer_attribute.WGPEER_A_ALLOWEDIPS:
                    foreach (NetlinkAttribute element in attribute.GetNested())
                    {
                        peer.AllowedIPs.Add(AllowedIP(element.Payload));
                    }

                    break;
            }
        }
    }

    private static IPNetwork AllowedIP(ReadOnlySpan<byte> attributes)
    {
        ushort? family = null;
        ReadOnlySpan<byte> address = default;
        bool hasAddress = false;
        int? cidr = null;
        foreach (NetlinkAttribute attribute in new AttributeReader(attributes))
        {
            switch ((wgallowedip_attribute)attribute.Type)
            {
                case wgallowedip_attribute.WGALLOWEDIP_A_FAMILY:
                    family = attribute.GetU16();
                    break;
                case wgallowedip_attribute.WGALLOWEDIP_A_IPADDR:
                    address = attribute.Payload;
                    hasAddress = true;
                    break;
                case wgallowedip_attribute.WGALLOWEDIP_A_CIDR_MASK:
                    cidr = attribute.GetU8();
                    break;
            }
        }

        int expectedLength = family switch
        {
            AF_INET => SizeOfInAddr,
            AF_INET6 => SizeOfIn6Addr,
            _ => ThrowHelper.ThrowProtocol<int>($"Allowed IP with unknown or missing family {family}."),
        };
        if (!hasAddress || address.Length != expectedLength || cidr is null || cidr > expectedLength * 8)
        {
            ThrowHelper.ThrowProtocol(
                $"Allowed IP of family {family} has address length {address.Length} and mask {cidr?.ToString() ?? "(none)"}.");
        }

        return new IPNetwork(Route.InterfaceAddress.Mask(new IPAddress(address), cidr.Value), cidr.Value);
    }

    private static IPEndPoint? Endpoint(ReadOnlySpan<byte> sockaddr)
    {
        if (sockaddr.Length < sizeof(ushort) * 2)
        {
            return ThrowHelper.ThrowProtocol<IPEndPoint>($"WGPEER_A_ENDPOINT of {sockaddr.Length} bytes is too short.");
        }

        ushort family = MemoryMarshal.Read<ushort>(sockaddr);
        int port = BinaryPrimitives.ReadUInt16BigEndian(sockaddr[2..]);
        if (family == AF_INET && sockaddr.Length == SizeOfSockaddrIn)
        {
            return new IPEndPoint(new IPAddress(sockaddr.Slice(4, SizeOfInAddr)), port);
        }

        if (family == AF_INET6 && sockaddr.Length == SizeOfSockaddrIn6)
        {
            uint scope = MemoryMarshal.Read<uint>(sockaddr[24..]);
            return new IPEndPoint(new IPAddress(sockaddr.Slice(8, SizeOfIn6Addr), scope), port);
        }

        return ThrowHelper.ThrowProtocol<IPEndPoint>($"WGPEER_A_ENDPOINT has family {family} and length {sockaddr.Length}.");
    }

    private static DateTimeOffset? Timespec(ReadOnlySpan<byte> timespec)
    {
        long seconds = MemoryMarshal.Read<long>(timespec);
        long nanoseconds = MemoryMarshal.Read<long>(timespec[sizeof(long)..]);
        if (seconds == 0 && nanoseconds == 0)
        {
            return null;
        }

        if (seconds < 0 || seconds >= MaxUnixSeconds || nanoseconds < 0 || nanoseconds >= 1_000_000_000)
        {
            return ThrowHelper.ThrowProtocol<DateTimeOffset?>($"WGPEER_A_LAST_HANDSHAKE_TIME {seconds}.{nanoseconds} is out of range.");
        }

        return DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks(nanoseconds / TicksPerNanosecondDivisor);
    }

    private static WireGuardKey Key(NetlinkAttribute attribute) => new(attribute.GetBytes(WG_KEY_LEN));

    private sealed class DeviceAccumulator
    {
        public required string Name { get; set; }

        public int Index { get; set; }

        public WireGuardKey? PrivateKey { get; set; }

        public WireGuardKey? PublicKey { get; set; }

        public ushort ListenPort { get; set; }

        public uint FirewallMark { get; set; }

        public Dictionary<WireGuardKey, PeerAccumulator> PeersByKey { get; } = [];

        public List<PeerAccumulator> PeerOrder { get; } = [];

        public WireGuardDevice ToDevice() => new()
        {
            Name = Name,
            InterfaceIndex = Index,
            PrivateKey = PrivateKey is { IsZero: false } ? PrivateKey : null,
            PublicKey = PublicKey is { IsZero: false } ? PublicKey : null,
            ListenPort = ListenPort,
            FirewallMark = FirewallMark,
            Peers = PeerOrder.Select(p => p.ToPeer()).ToList(),
            Backend = WireGuardBackend.Kernel,
        };
    }

    private sealed class PeerAccumulator(WireGuardKey publicKey)
    {
        public WireGuardKey? PresharedKey { get; set; }

        public IPEndPoint? Endpoint { get; set; }

        public ushort Keepalive { get; set; }

        public DateTimeOffset? LastHandshake { get; set; }

        public ulong ReceiveBytes { get; set; }

        public ulong TransmitBytes { get; set; }

        public int ProtocolVersion { get; set; }

        public List<IPNetwork> AllowedIPs { get; } = [];

        public WireGuardPeer ToPeer() => new()
        {
            PublicKey = publicKey,
            PresharedKey = PresharedKey,
            Endpoint = Endpoint,
            PersistentKeepaliveInterval = Keepalive,
            LastHandshake = LastHandshake,
            ReceiveBytes = ReceiveBytes,
            TransmitBytes = TransmitBytes,
            ProtocolVersion = ProtocolVersion,
            AllowedIPs = AllowedIPs,
        };
    }
}
