using System.Buffers.Binary;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Innernet.Netlink.Interop;
using Innernet.Netlink.Protocol;
using Innernet.Netlink.WireGuard;
using static Innernet.Netlink.Interop.LinuxWireGuard;

namespace Innernet.Netlink.Tests.WireGuard;

/// <summary>
/// Test oracle: the SET encoder as it was before the streaming <c>SetDeviceEncoder</c> (commit 1004025), built
/// on <see cref="NetlinkWriter"/> message by message. The production encoder must produce exactly these bytes
/// for every config and limit; this copy is kept only to prove that and is not used by the library.
/// </summary>
internal static class ReferenceSetDeviceBuilder
{
    /// <summary>Default size limit of one SET message.</summary>
    public const int DefaultMessageLimit = 32 * 1024;

    /// <summary>Encoded size of one IPv4 allowed-IP element (nest + family + address + mask).</summary>
    public const int AllowedIPv4Size = 28;

    /// <summary>Encoded size of one IPv6 allowed-IP element.</summary>
    public const int AllowedIPv6Size = 40;

    private const ushort AF_INET = 2;
    private const ushort AF_INET6 = 10;
    private const int KeyAttributeSize = LinuxNetlink.NLA_HDRLEN + WG_KEY_LEN;

    /// <summary>Encodes <paramref name="config"/> for device <paramref name="name"/> as one or more SET messages.</summary>
    /// <exception cref="ArgumentException">A peer's endpoint or an allowed IP is not IPv4/IPv6, or the limit is too small for one peer
    /// header.</exception>
    public static List<byte[]> BuildSetDevice(ushort familyId, string name, DeviceConfig config, int messageLimit = DefaultMessageLimit)
    {
        ArgumentNullException.ThrowIfNull(config);
        int minimum = NlMsgHeader.Size + GenlMsgHeader.Size + NetlinkAlignment.AttributeSize(Encoding.UTF8.GetByteCount(name) + 1)
            + (4 * KeyAttributeSize) + 128;
        if (messageLimit < minimum)
        {
            throw new ArgumentOutOfRangeException(nameof(messageLimit), messageLimit, $"A SET message needs at least {minimum} bytes.");
        }

        var state = new SetState(familyId, name, messageLimit);
        var w = new NetlinkWriter(state.Buffer);
        state.Begin(ref w);

        if (config.PrivateKey is { } privateKey)
        {
            privateKey.CopyTo(w.BeginAttribute((ushort)wgdevice_attribute.WGDEVICE_A_PRIVATE_KEY, WG_KEY_LEN));
        }

        if (config.ListenPort is { } port)
        {
            w.WriteU16((ushort)wgdevice_attribute.WGDEVICE_A_LISTEN_PORT, port);
        }

        if (config.FirewallMark is { } mark)
        {
            w.WriteU32((ushort)wgdevice_attribute.WGDEVICE_A_FWMARK, mark);
        }

        if (config.ReplacePeers)
        {
            w.WriteU32((ushort)wgdevice_attribute.WGDEVICE_A_FLAGS, (uint)wgdevice_flag.WGDEVICE_F_REPLACE_PEERS);
        }

        foreach (PeerConfig peer in config.Peers)
        {
            WritePeer(ref w, state, peer);
        }

        state.Finish(ref w);
        return state.Messages;
    }

    private static void WritePeer(ref NetlinkWriter w, SetState state, PeerConfig peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        IList<IPNetwork> allowed = peer.Remove ? [] : peer.AllowedIPs;
        int next = 0;
        bool first = true;
        while (true)
        {
            uint flags = PeerFlags(peer, first);
            int headerSize = PeerHeaderSize(peer, first, flags);
            int minimum = headerSize + (next < allowed.Count ? LinuxNetlink.NLA_HDRLEN + AllowedIPSize(allowed[next]) : 0);
            if (state.Capacity(ref w) < minimum)
            {
                state.Flush(ref w);
                if (state.Capacity(ref w) < minimum)
                {
                    throw new ArgumentException($"The message limit of {state.Limit} bytes cannot hold one peer ({minimum} bytes).");
                }
            }

            state.EnsurePeersOpen(ref w);
            var peerNest = w.BeginNested(0);
            peer.PublicKey.CopyTo(w.BeginAttribute((ushort)wgpeer_attribute.WGPEER_A_PUBLIC_KEY, WG_KEY_LEN));
            if (flags != 0)
            {
                w.WriteU32((ushort)wgpeer_attribute.WGPEER_A_FLAGS, flags);
            }

            if (first && !peer.Remove)
            {
                if (peer.PresharedKey is { } psk)
                {
                    psk.CopyTo(w.BeginAttribute((ushort)wgpeer_attribute.WGPEER_A_PRESHARED_KEY, WG_KEY_LEN));
                }

                if (peer.Endpoint is { } endpoint)
                {
                    WriteEndpoint(ref w, endpoint);
                }

                if (peer.PersistentKeepaliveInterval is { } keepalive)
                {
                    w.WriteU16((ushort)wgpeer_attribute.WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL, keepalive);
                }
            }

            if (next < allowed.Count)
            {
                var list = w.BeginNested((ushort)wgpeer_attribute.WGPEER_A_ALLOWEDIPS);
                while (next < allowed.Count && state.Capacity(ref w) >= AllowedIPSize(allowed[next]))
                {
                    WriteAllowedIP(ref w, allowed[next]);
                    next++;
                }

                w.EndNested(list);
            }

            w.EndNested(peerNest);
            first = false;
            if (next >= allowed.Count)
            {
                return;
            }

            state.Flush(ref w); // The rest of this peer's allowed IPs continue in the next message.
        }
    }

    private static uint PeerFlags(PeerConfig peer, bool first)
    {
        if (peer.Remove)
        {
            return (uint)wgpeer_flag.WGPEER_F_REMOVE_ME;
        }

        uint flags = 0;
        if (peer.UpdateOnly)
        {
            flags |= (uint)wgpeer_flag.WGPEER_F_UPDATE_ONLY;
        }

        if (peer.ReplaceAllowedIPs && first)
        {
            flags |= (uint)wgpeer_flag.WGPEER_F_REPLACE_ALLOWEDIPS;
        }

        return flags;
    }

    private static int PeerHeaderSize(PeerConfig peer, bool first, uint flags)
    {
        int size = LinuxNetlink.NLA_HDRLEN + KeyAttributeSize + (flags != 0 ? NetlinkAlignment.AttributeSize(sizeof(uint)) : 0);
        if (first && !peer.Remove)
        {
            size += peer.PresharedKey is null ? 0 : KeyAttributeSize;
            size += peer.Endpoint is null ? 0 : NetlinkAlignment.AttributeSize(EndpointSize(peer.Endpoint));
            size += peer.PersistentKeepaliveInterval is null ? 0 : NetlinkAlignment.AttributeSize(sizeof(ushort));
        }

        return size;
    }

    private static int AllowedIPSize(IPNetwork network) =>
        network.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? AllowedIPv4Size : AllowedIPv6Size;

    private static int EndpointSize(IPEndPoint endpoint) => endpoint.AddressFamily switch
    {
        AddressFamily.InterNetwork => SizeOfSockaddrIn,
        AddressFamily.InterNetworkV6 => SizeOfSockaddrIn6,
        _ => throw new ArgumentException($"Endpoint {endpoint} is neither IPv4 nor IPv6."),
    };

    /// <summary><c>sockaddr_in</c>/<c>sockaddr_in6</c>: family native endian, port and addresses big-endian.</summary>
    private static void WriteEndpoint(ref NetlinkWriter w, IPEndPoint endpoint)
    {
        int size = EndpointSize(endpoint);
        Span<byte> sockaddr = w.BeginAttribute((ushort)wgpeer_attribute.WGPEER_A_ENDPOINT, size);
        bool v4 = endpoint.AddressFamily == AddressFamily.InterNetwork;
        ushort family = v4 ? AF_INET : AF_INET6;
        MemoryMarshal.Write(sockaddr, in family);
        BinaryPrimitives.WriteUInt16BigEndian(sockaddr[2..], (ushort)endpoint.Port);
        if (v4)
        {
            endpoint.Address.TryWriteBytes(sockaddr.Slice(4, SizeOfInAddr), out _);
        }
        else
        {
            BinaryPrimitives.WriteUInt32BigEndian(sockaddr[4..], 0); // sin6_flowinfo
            endpoint.Address.TryWriteBytes(sockaddr.Slice(8, SizeOfIn6Addr), out _);
            uint scope = (uint)endpoint.Address.ScopeId;
            MemoryMarshal.Write(sockaddr[24..], in scope);
        }
    }

    private static void WriteAllowedIP(ref NetlinkWriter w, IPNetwork network)
    {
        bool v4 = network.BaseAddress.AddressFamily == AddressFamily.InterNetwork;
        var element = w.BeginNested(0);
        w.WriteU16((ushort)wgallowedip_attribute.WGALLOWEDIP_A_FAMILY, v4 ? AF_INET : AF_INET6);
        w.WriteAddress((ushort)wgallowedip_attribute.WGALLOWEDIP_A_IPADDR, network.BaseAddress);
        w.WriteU8((ushort)wgallowedip_attribute.WGALLOWEDIP_A_CIDR_MASK, (byte)network.PrefixLength);
        w.EndNested(element);
    }

    /// <summary>The message being filled and the finished ones.</summary>
    private sealed class SetState
    {
        private readonly ushort _familyId;
        private readonly string _name;
        private NetlinkWriter.NestScope _peers;
        private bool _peersOpen;

        public SetState(ushort familyId, string name, int limit)
        {
            _familyId = familyId;
            _name = name;
            Limit = limit;
            Buffer = new byte[limit];
        }

        public int Limit { get; }

        public byte[] Buffer { get; }

        public List<byte[]> Messages { get; } = [];

        private int PeersStart => _peers.Start;

        public void Begin(ref NetlinkWriter w)
        {
            w.BeginMessage(_familyId, LinuxNetlink.NLM_F_REQUEST | LinuxNetlink.NLM_F_ACK);
            w.WriteHeader(new GenlMsgHeader((byte)wg_cmd.WG_CMD_SET_DEVICE, WG_GENL_VERSION));
            w.WriteString((ushort)wgdevice_attribute.WGDEVICE_A_IFNAME, _name);
        }

        /// <summary>Bytes that can still go into the open PEERS nest of this message (counting its header if not yet open).</summary>
        public int Capacity(ref NetlinkWriter w)
        {
            int inMessage = w.Remaining - (_peersOpen ? 0 : LinuxNetlink.NLA_HDRLEN);
            int inNest = _peersOpen
                ? NetlinkWriter.MaxAttributeLength - (w.Position - PeersStart)
                : NetlinkWriter.MaxAttributeLength - LinuxNetlink.NLA_HDRLEN;
            return Math.Min(inMessage, inNest);
        }

        public void EnsurePeersOpen(ref NetlinkWriter w)
        {
            if (!_peersOpen)
            {
                _peers = w.BeginNested((ushort)wgdevice_attribute.WGDEVICE_A_PEERS);
                _peersOpen = true;
            }
        }

        /// <summary>Closes the current message and starts the next (IFNAME only).</summary>
        public void Flush(ref NetlinkWriter w)
        {
            Finish(ref w);
            w.Rewind(0);
            Begin(ref w);
        }

        public void Finish(ref NetlinkWriter w)
        {
            if (_peersOpen)
            {
                w.EndNested(_peers);
                _peersOpen = false;
            }

            w.EndMessage();
            Messages.Add(w.Written.ToArray());
        }
    }
}
