using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Innernet.Netlink.Interop;
using Innernet.Netlink.Protocol;
using static Innernet.Netlink.Interop.LinuxSocket;
using static Innernet.Netlink.Interop.LinuxWireGuard;

namespace Innernet.Netlink.WireGuard.Kernel;

/// <summary>
/// Resumable encoder of one <c>WG_CMD_SET_DEVICE</c> change: each <see cref="EncodeNext"/> writes the next
/// message into the caller's buffer, so a sender can encode, send and await the ACK one message at a time
/// from one reused buffer. Messages are byte-filled up to the limit: the device attributes and
/// <c>WGDEVICE_F_REPLACE_PEERS</c> go only in message 1; a peer is written as fragments, each its key, its flags
/// and as many allowed IPs as fit (removals first), and when they do not all fit the rest follow in a fragment at the
/// start of the next message, re-stating the key and the flags but <c>WGPEER_F_REPLACE_ALLOWEDIPS</c>, without the
/// preshared key, endpoint and keepalive of the first fragment. A fragment is written only if its header and its first
/// allowed IP fit; the limit is checked to hold the largest such fragment, so every message makes progress. The whole
/// config is validated by the constructor, so a bad peer is reported before anything is sent.
/// </summary>
/// <remarks>
/// The per-peer methods are <see cref="MethodImplOptions.AggressiveOptimization"/>: a configuration is applied
/// rarely, so they would otherwise run as unoptimised tier-0 code for most real calls (about 15× slower).
/// </remarks>
internal sealed class SetDeviceEncoder
{
    /// <summary>Encoded size of one IPv4 allowed-IP element (nest + family + address + mask).</summary>
    public const int AllowedIPv4Size = LinuxNetlink.NLA_HDRLEN + U32Size + LinuxNetlink.NLA_HDRLEN + SizeOfInAddr + U32Size;

    /// <summary>Encoded size of one IPv6 allowed-IP element.</summary>
    public const int AllowedIPv6Size = LinuxNetlink.NLA_HDRLEN + U32Size + LinuxNetlink.NLA_HDRLEN + SizeOfIn6Addr + U32Size;

    /// <summary>An attribute of 4 bytes or less (u8, u16, u32: padded to 4).</summary>
    private const int U32Size = LinuxNetlink.NLA_HDRLEN + sizeof(uint);

    private const int KeyAttributeSize = LinuxNetlink.NLA_HDRLEN + WG_KEY_LEN;

    /// <summary>
    /// The largest peer header: public key, flags, preshared key, IPv6 endpoint, keepalive. The smallest accepted
    /// limit leaves more than this plus the largest allowed-IP element after the headers and device attributes.
    /// </summary>
    private const int MaxPeerHeaderSize = KeyAttributeSize + U32Size + KeyAttributeSize + LinuxNetlink.NLA_HDRLEN + SizeOfSockaddrIn6
        + U32Size;

    /// <summary>Slack above four keys in the smallest accepted limit.</summary>
    private const int MinimumLimitSlack = 128;

    private readonly ushort _familyId;
    private readonly string _name;
    private readonly DeviceConfig _config;
    private int _peer;
    private int _allowedIP; // the peer's next allowed IP: removals [0, RemoveAllowedIPs.Count), then additions
    private int _firstPeer; // the peers that the last message carries (fragments included): [_firstPeer, _endPeer)
    private int _endPeer;

    /// <summary>Validates <paramref name="config"/> and the limit; nothing is encoded yet.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The limit is too small for one peer.</exception>
    /// <exception cref="ArgumentException">A peer is null, has no allowed-IP list, or an allowed IP has no address.</exception>
    public SetDeviceEncoder(ushort familyId, string name, DeviceConfig config, int messageLimit)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(config);
        int minimum = NlMsgHeader.Size + GenlMsgHeader.Size + NetlinkAlignment.AttributeSize(Encoding.UTF8.GetByteCount(name) + 1)
            + (4 * KeyAttributeSize) + MinimumLimitSlack;
        if (messageLimit < minimum)
        {
            throw new ArgumentOutOfRangeException(nameof(messageLimit), messageLimit, $"A SET message needs at least {minimum} bytes.");
        }

        _familyId = familyId;
        _name = name;
        _config = config;
        MessageLimit = messageLimit;
        Validate(config.Peers ?? throw new ArgumentException("DeviceConfig.Peers is null.", nameof(config)));
    }

    /// <summary>Largest message in bytes; <see cref="EncodeNext"/> needs a buffer at least this large.</summary>
    public int MessageLimit { get; }

    /// <summary>Messages encoded so far (the 1-based number of the last one).</summary>
    public int MessagesEncoded { get; private set; }

    /// <summary>
    /// The indices into <see cref="DeviceConfig.Peers"/> of the peers that the last encoded message carries, whole or a
    /// fragment of their allowed IPs; empty when it carries none (a change of the device's attributes only).
    /// </summary>
    public Range LastMessagePeers => _firstPeer.._endPeer;

    /// <summary>True once the last message has been encoded.</summary>
    public bool IsComplete => MessagesEncoded > 0 && _peer >= _config.Peers.Count;

    /// <summary>
    /// Writes the next message at the start of <paramref name="buffer"/> and returns its length, or 0 when
    /// every message has been encoded. Message 1 is always produced, even for an empty change.
    /// </summary>
    /// <exception cref="ArgumentException">The buffer is smaller than <see cref="MessageLimit"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int EncodeNext(Span<byte> buffer)
    {
        if (IsComplete)
        {
            return 0;
        }

        if (buffer.Length < MessageLimit)
        {
            throw new ArgumentException(
                $"The buffer of {buffer.Length} bytes is smaller than the message limit of {MessageLimit}.", nameof(buffer));
        }

        var w = new NetlinkWriter(buffer[..MessageLimit]);
        w.BeginMessage(_familyId, LinuxNetlink.NLM_F_REQUEST | LinuxNetlink.NLM_F_ACK);
        w.WriteHeader(new GenlMsgHeader((byte)wg_cmd.WG_CMD_SET_DEVICE, WG_GENL_VERSION));
        w.WriteString((ushort)wgdevice_attribute.WGDEVICE_A_IFNAME, _name);
        if (MessagesEncoded == 0)
        {
            WriteDeviceAttributes(ref w, _config);
        }

        IList<PeerConfig> peers = _config.Peers;
        _firstPeer = _endPeer = _peer;
        if (_peer < peers.Count)
        {
            var nest = w.BeginNested((ushort)wgdevice_attribute.WGDEVICE_A_PEERS);
            int end = Math.Min(MessageLimit, nest.Start + NetlinkWriter.MaxAttributeLength);
            Span<byte> header = stackalloc byte[MaxPeerHeaderSize];
            while (_peer < peers.Count && WriteFragment(ref w, end, peers[_peer], header))
            {
                _peer++;
                _allowedIP = 0;
            }

            Debug.Assert(w.Position > nest.Start + LinuxNetlink.NLA_HDRLEN, "The smallest limit holds the largest first fragment.");
            w.EndNested(nest);
        }

        MessagesEncoded++;
        return w.EndMessage();
    }

    /// <summary>
    /// Writes the peer's next fragment (its header and as many of its remaining allowed IPs as fit before
    /// <paramref name="end"/>); true when the peer is complete, false when this message is full. A fragment that would hold
    /// no allowed IP although some remain is rolled back. The header is laid out in <paramref name="scratch"/> first, so
    /// its size is measured, not predicted.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool WriteFragment(ref NetlinkWriter w, int end, PeerConfig peer, scoped Span<byte> scratch)
    {
        var header = new NetlinkWriter(scratch);
        WritePeerHeader(ref header, peer, first: _allowedIP == 0);
        IList<IPNetwork> removals = peer.RemoveAllowedIPs;
        IList<IPNetwork> additions = peer.AllowedIPs;
        int removeCount = peer.Remove ? 0 : removals.Count;
        int count = peer.Remove ? 0 : removeCount + additions.Count;
        int start = w.Position;
        int first = _allowedIP;
        if (end - start < LinuxNetlink.NLA_HDRLEN + header.Position + (first < count ? LinuxNetlink.NLA_HDRLEN : 0))
        {
            return false;
        }

        var nest = w.BeginNested(0);
        header.Written.CopyTo(w.Reserve(header.Position));
        if (first < count)
        {
            var list = w.BeginNested((ushort)wgpeer_attribute.WGPEER_A_ALLOWEDIPS);
            while (_allowedIP < count)
            {
                bool remove = _allowedIP < removeCount;
                IPNetwork network = remove ? removals[_allowedIP] : additions[_allowedIP - removeCount];
                bool v4 = network.BaseAddress.AddressFamily == AddressFamily.InterNetwork;
                int size = (v4 ? AllowedIPv4Size : AllowedIPv6Size) + (remove ? U32Size : 0);
                if (end - w.Position < size)
                {
                    break;
                }

                WriteAllowedIP(w.Reserve(size), network, v4, remove);
                _allowedIP++;
            }

            if (_allowedIP == first)
            {
                w.Rewind(start);
                return false;
            }

            w.EndNested(list);
        }

        w.EndNested(nest);
        _endPeer = _peer + 1;
        return _allowedIP == count;
    }

    /// <summary>
    /// Public key and flags; in the first fragment also the preshared key, endpoint and keepalive (a removed peer has
    /// only its key and <c>WGPEER_F_REMOVE_ME</c>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WritePeerHeader(ref NetlinkWriter w, PeerConfig peer, bool first)
    {
        peer.PublicKey.CopyTo(w.BeginAttribute((ushort)wgpeer_attribute.WGPEER_A_PUBLIC_KEY, WG_KEY_LEN));
        uint flags = peer.Remove ? (uint)wgpeer_flag.WGPEER_F_REMOVE_ME
            : (peer.UpdateOnly ? (uint)wgpeer_flag.WGPEER_F_UPDATE_ONLY : 0)
            | (peer.ReplaceAllowedIPs && first ? (uint)wgpeer_flag.WGPEER_F_REPLACE_ALLOWEDIPS : 0);
        if (flags != 0)
        {
            w.WriteU32((ushort)wgpeer_attribute.WGPEER_A_FLAGS, flags);
        }

        if (!first || peer.Remove)
        {
            return;
        }

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

    /// <summary>
    /// One allowed-IP element into <paramref name="element"/> (zeroed, exactly its size): the nest header,
    /// <c>WGALLOWEDIP_A_FAMILY</c> (u16), <c>WGALLOWEDIP_A_IPADDR</c> (network order), <c>WGALLOWEDIP_A_CIDR_MASK</c> (u8)
    /// and, for a removal, <c>WGALLOWEDIP_A_FLAGS</c> = <c>WGALLOWEDIP_F_REMOVE_ME</c> (u32).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteAllowedIP(Span<byte> element, IPNetwork network, bool v4, bool remove)
    {
        IPAddress address = network.BaseAddress;
        int addressLength = v4 ? SizeOfInAddr : SizeOfIn6Addr;
        int addressAt = LinuxNetlink.NLA_HDRLEN + U32Size;
        int maskAt = addressAt + LinuxNetlink.NLA_HDRLEN + addressLength;
        WriteAttributeHeader(element, element.Length, LinuxNetlink.NLA_F_NESTED);
        WriteAttributeHeader(element[LinuxNetlink.NLA_HDRLEN..], LinuxNetlink.NLA_HDRLEN + sizeof(ushort),
            (ushort)wgallowedip_attribute.WGALLOWEDIP_A_FAMILY);
        ushort family = v4 ? AF_INET : AF_INET6;
        MemoryMarshal.Write(element[(LinuxNetlink.NLA_HDRLEN * 2)..], in family);
        WriteAttributeHeader(element[addressAt..], LinuxNetlink.NLA_HDRLEN + addressLength,
            (ushort)wgallowedip_attribute.WGALLOWEDIP_A_IPADDR);
        if (!address.TryWriteBytes(element.Slice(addressAt + LinuxNetlink.NLA_HDRLEN, addressLength), out _))
        {
            throw new ArgumentException($"Cannot encode allowed IP address {address}.", nameof(network));
        }

        WriteAttributeHeader(
            element[maskAt..], LinuxNetlink.NLA_HDRLEN + sizeof(byte), (ushort)wgallowedip_attribute.WGALLOWEDIP_A_CIDR_MASK);
        element[maskAt + LinuxNetlink.NLA_HDRLEN] = (byte)network.PrefixLength;
        if (remove)
        {
            int flagsAt = maskAt + U32Size;
            WriteAttributeHeader(element[flagsAt..], U32Size, (ushort)wgallowedip_attribute.WGALLOWEDIP_A_FLAGS);
            uint flags = (uint)wgallowedip_flag.WGALLOWEDIP_F_REMOVE_ME;
            MemoryMarshal.Write(element[(flagsAt + LinuxNetlink.NLA_HDRLEN)..], in flags);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteAttributeHeader(Span<byte> at, int length, ushort type)
    {
        var header = new LinuxNetlink.nlattr { nla_len = (ushort)length, nla_type = type };
        MemoryMarshal.Write(at, in header);
    }

    private static void WriteDeviceAttributes(ref NetlinkWriter w, DeviceConfig config)
    {
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
    }

    private static void Validate(IList<PeerConfig> peers)
    {
        for (int i = 0; i < peers.Count; i++)
        {
            PeerConfig peer = peers[i] ?? throw new ArgumentException($"Peer {i} of the config is null.", nameof(peers));
            if (peer.Endpoint is { } endpoint)
            {
                EndpointSize(endpoint);
            }

            string? problem = Problem(peer.AllowedIPs, i, nameof(PeerConfig.AllowedIPs), "of")
                ?? Problem(peer.RemoveAllowedIPs, i, nameof(PeerConfig.RemoveAllowedIPs), "to remove from");
            if (problem is not null)
            {
                throw new ArgumentException(problem, nameof(peers));
            }
        }
    }

    private static string? Problem(IList<IPNetwork>? networks, int peer, string list, string relation)
    {
        if (networks is null)
        {
            return $"Peer {peer} of the config has a null {list} list.";
        }

        for (int k = 0; k < networks.Count; k++)
        {
            if (networks[k].BaseAddress is null)
            {
                return $"Allowed IP {k} {relation} peer {peer} has no address (default IPNetwork).";
            }
        }

        return null;
    }

    private static int EndpointSize(IPEndPoint endpoint) => endpoint.AddressFamily switch
    {
        AddressFamily.InterNetwork => SizeOfSockaddrIn,
        AddressFamily.InterNetworkV6 => SizeOfSockaddrIn6,
        _ => throw new ArgumentException($"Endpoint {endpoint} is neither IPv4 nor IPv6."),
    };

    /// <summary><c>sockaddr_in</c>/<c>sockaddr_in6</c>: family native endian, port and addresses big-endian.</summary>
    private static void WriteEndpoint(ref NetlinkWriter w, IPEndPoint endpoint)
    {
        Span<byte> sockaddr = w.BeginAttribute((ushort)wgpeer_attribute.WGPEER_A_ENDPOINT, EndpointSize(endpoint));
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
}
