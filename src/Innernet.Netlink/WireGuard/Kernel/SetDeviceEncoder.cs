using System.Buffers.Binary;
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
/// from one reused buffer. The split rules are those of <see cref="WireGuardMessageBuilder"/> (byte-filled up
/// to the limit; device attributes and <c>WGDEVICE_F_REPLACE_PEERS</c> only in message 1; a peer's allowed-IP
/// list may continue in the next message, re-stating the key and the non-replace flags). The whole config is
/// validated by the constructor, so a bad peer is reported before anything is sent.
/// </summary>
/// <remarks>
/// The per-peer methods are <see cref="MethodImplOptions.AggressiveOptimization"/>: a configuration is applied
/// rarely, so they would otherwise run as unoptimised tier-0 code for most real calls (about 15× slower).
/// </remarks>
internal sealed class SetDeviceEncoder
{
    /// <summary>Encoded size of one IPv4 allowed-IP element (nest + family + address + mask).</summary>
    public const int AllowedIPv4Size = LinuxNetlink.NLA_HDRLEN + FamilySize + LinuxNetlink.NLA_HDRLEN + SizeOfInAddr + MaskSize;

    /// <summary>Encoded size of one IPv6 allowed-IP element.</summary>
    public const int AllowedIPv6Size = LinuxNetlink.NLA_HDRLEN + FamilySize + LinuxNetlink.NLA_HDRLEN + SizeOfIn6Addr + MaskSize;

    private const int KeyAttributeSize = LinuxNetlink.NLA_HDRLEN + WG_KEY_LEN;
    private const int FamilySize = LinuxNetlink.NLA_HDRLEN + sizeof(uint); // u16 padded to 4
    private const int MaskSize = LinuxNetlink.NLA_HDRLEN + sizeof(uint); // u8 padded to 4
    private const int FlagsSize = LinuxNetlink.NLA_HDRLEN + sizeof(uint);
    private const int KeepaliveSize = LinuxNetlink.NLA_HDRLEN + sizeof(uint); // u16 padded to 4

    /// <summary>Slack above the largest peer header in the smallest accepted limit.</summary>
    private const int MinimumLimitSlack = 128;

    private readonly ushort _familyId;
    private readonly string _name;
    private readonly DeviceConfig _config;
    private readonly IList<PeerConfig> _peers;
    private readonly List<PeerConfig>? _peerList; // the usual case: direct (inlinable) indexing, no interface calls
    private int _peerIndex;
    private int _allowedIndex;
    private bool _continuation;

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
        _peers = config.Peers ?? throw new ArgumentException("DeviceConfig.Peers is null.", nameof(config));
        _peerList = _peers as List<PeerConfig>;
        MessageLimit = messageLimit;
        Validate(_peers);
    }

    /// <summary>Largest message in bytes; <see cref="EncodeNext"/> needs a buffer at least this large.</summary>
    public int MessageLimit { get; }

    /// <summary>Messages encoded so far (the 1-based number of the last one).</summary>
    public int MessagesEncoded { get; private set; }

    /// <summary>True once the last message has been encoded.</summary>
    public bool IsComplete => MessagesEncoded > 0 && _peerIndex >= _peers.Count;

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
        bool hasContent = false;
        if (MessagesEncoded == 0)
        {
            WriteDeviceAttributes(ref w, _config);
            hasContent = true; // Message 1 is sent even when nothing else fits or follows.
        }

        var peers = default(NetlinkWriter.NestScope);
        bool peersOpen = false;
        int peerCount = _peers.Count;
        while (_peerIndex < peerCount)
        {
            PeerConfig peer = _peerList is { } peerList ? peerList[_peerIndex] : _peers[_peerIndex];
            IList<IPNetwork> allowed = peer.AllowedIPs;
            var allowedList = allowed as List<IPNetwork>;
            int removeCount = peer.Remove ? 0 : peer.RemoveAllowedIPs.Count;

            // Element indexes [0, removeCount) are the removals, the rest the additions.
            int allowedCount = peer.Remove ? 0 : removeCount + (allowedList?.Count ?? allowed.Count);
            bool first = !_continuation;
            uint flags = PeerFlags(peer, first);
            int headerSize = PeerHeaderSize(peer, first, flags);
            int minimum = headerSize;
            if (_allowedIndex < allowedCount)
            {
                minimum += LinuxNetlink.NLA_HDRLEN + (_allowedIndex < removeCount
                    ? AllowedIPSize(peer.RemoveAllowedIPs[_allowedIndex]) + FlagsSize
                    : AllowedIPSize(allowedList is null ? allowed[_allowedIndex - removeCount] : allowedList[_allowedIndex - removeCount]));
            }

            if (Capacity(ref w, peersOpen, peers.Start) < minimum)
            {
                if (hasContent)
                {
                    break; // This message is full; the peer starts (or continues) in the next one.
                }

                throw new ArgumentException($"The message limit of {MessageLimit} bytes cannot hold one peer ({minimum} bytes).");
            }

            if (!peersOpen)
            {
                peers = w.BeginNested((ushort)wgdevice_attribute.WGDEVICE_A_PEERS);
                peersOpen = true;
            }

            WriteFragment(ref w, peer, first, flags, allowed, allowedList, removeCount, allowedCount, peers.Start);
            hasContent = true;
            if (_allowedIndex < allowedCount)
            {
                _continuation = true;
                break; // The rest of this peer's allowed IPs continue in the next message.
            }

            _peerIndex++;
            _allowedIndex = 0;
            _continuation = false;
        }

        if (peersOpen)
        {
            w.EndNested(peers);
        }

        MessagesEncoded++;
        return w.EndMessage();
    }

    /// <summary>Encodes the remaining messages into <paramref name="scratch"/> only to count them (error reports).</summary>
    public int CountAll(Span<byte> scratch)
    {
        while (EncodeNext(scratch) > 0)
        {
        }

        return MessagesEncoded;
    }

    private static void Validate(IList<PeerConfig> peers)
    {
        for (int i = 0; i < peers.Count; i++)
        {
            PeerConfig peer = peers[i] ?? throw new ArgumentException($"Peer {i} of the config is null.", nameof(peers));
            IList<IPNetwork> allowed = peer.AllowedIPs
                ?? throw new ArgumentException($"Peer {i} of the config has a null AllowedIPs list.", nameof(peers));
            if (peer.Endpoint is { } endpoint)
            {
                EndpointSize(endpoint);
            }

            for (int k = 0; k < allowed.Count; k++)
            {
                if (allowed[k].BaseAddress is null)
                {
                    throw new ArgumentException($"Allowed IP {k} of peer {i} has no address (default IPNetwork).", nameof(peers));
                }
            }

            IList<IPNetwork> removed = peer.RemoveAllowedIPs
                ?? throw new ArgumentException($"Peer {i} of the config has a null RemoveAllowedIPs list.", nameof(peers));
            for (int k = 0; k < removed.Count; k++)
            {
                if (removed[k].BaseAddress is null)
                {
                    throw new ArgumentException(
                        $"Allowed IP {k} to remove from peer {i} has no address (default IPNetwork).", nameof(peers));
                }
            }
        }
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

    /// <summary>Bytes that can still go into the PEERS nest of this message (counting its header if not yet open).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Capacity(ref NetlinkWriter w, bool peersOpen, int peersStart)
    {
        int inMessage = w.Remaining - (peersOpen ? 0 : LinuxNetlink.NLA_HDRLEN);
        int inNest = peersOpen
            ? NetlinkWriter.MaxAttributeLength - (w.Position - peersStart)
            : NetlinkWriter.MaxAttributeLength - LinuxNetlink.NLA_HDRLEN;
        return Math.Min(inMessage, inNest);
    }

    /// <summary>One peer nest: key, flags, first-fragment attributes, then as many allowed IPs as fit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void WriteFragment(
        ref NetlinkWriter w, PeerConfig peer, bool first, uint flags, IList<IPNetwork> allowed, List<IPNetwork>? allowedList,
        int removeCount, int allowedCount, int peersStart)
    {
        var peerNest = w.BeginNested(0);
        peer.PublicKey.CopyTo(w.BeginAttribute((ushort)wgpeer_attribute.WGPEER_A_PUBLIC_KEY, WG_KEY_LEN));
        if (flags != 0)
        {
            w.WriteU32((ushort)wgpeer_attribute.WGPEER_A_FLAGS, flags);
        }

        if (first && !peer.Remove)
        {
            WriteFirstOnly(ref w, peer);
        }

        if (_allowedIndex < allowedCount)
        {
            var list = w.BeginNested((ushort)wgpeer_attribute.WGPEER_A_ALLOWEDIPS);
            int next = _allowedIndex;
            while (next < allowedCount)
            {
                bool remove = next < removeCount;
                IPNetwork network = remove ? peer.RemoveAllowedIPs[next]
                    : allowedList is null ? allowed[next - removeCount] : allowedList[next - removeCount];
                IPAddress address = network.BaseAddress;
                bool v4 = address.AddressFamily == AddressFamily.InterNetwork;
                int size = (v4 ? AllowedIPv4Size : AllowedIPv6Size) + (remove ? FlagsSize : 0);
                if (Capacity(ref w, peersOpen: true, peersStart) < size)
                {
                    break;
                }

                WriteAllowedIP(w.Reserve(size), address, v4, (byte)network.PrefixLength, remove);
                next++;
            }

            _allowedIndex = next;
            w.EndNested(list);
        }

        w.EndNested(peerNest);
    }

    /// <summary>
    /// One allowed-IP element into <paramref name="element"/> (zeroed, exactly its size): the nest header,
    /// <c>WGALLOWEDIP_A_FAMILY</c> (u16), <c>WGALLOWEDIP_A_IPADDR</c> (network order), <c>WGALLOWEDIP_A_CIDR_MASK</c> (u8)
    /// and, for a removal, <c>WGALLOWEDIP_A_FLAGS</c> = <c>WGALLOWEDIP_F_REMOVE_ME</c> (u32).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteAllowedIP(Span<byte> element, IPAddress address, bool v4, byte prefix, bool remove)
    {
        int addressLength = v4 ? SizeOfInAddr : SizeOfIn6Addr;
        int addressAt = LinuxNetlink.NLA_HDRLEN + FamilySize;
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
            throw new ArgumentException($"Cannot encode allowed IP address {address}.", nameof(address));
        }

        WriteAttributeHeader(
            element[maskAt..], LinuxNetlink.NLA_HDRLEN + sizeof(byte), (ushort)wgallowedip_attribute.WGALLOWEDIP_A_CIDR_MASK);
        element[maskAt + LinuxNetlink.NLA_HDRLEN] = prefix;
        if (remove)
        {
            int flagsAt = maskAt + MaskSize;
            WriteAttributeHeader(element[flagsAt..], FlagsSize, (ushort)wgallowedip_attribute.WGALLOWEDIP_A_FLAGS);
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

    private static void WriteFirstOnly(ref NetlinkWriter w, PeerConfig peer)
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int PeerHeaderSize(PeerConfig peer, bool first, uint flags)
    {
        int size = LinuxNetlink.NLA_HDRLEN + KeyAttributeSize + (flags != 0 ? FlagsSize : 0);
        if (first && !peer.Remove)
        {
            size += peer.PresharedKey is null ? 0 : KeyAttributeSize;
            size += peer.Endpoint is null ? 0 : NetlinkAlignment.AttributeSize(EndpointSize(peer.Endpoint));
            size += peer.PersistentKeepaliveInterval is null ? 0 : KeepaliveSize;
        }

        return size;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
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
}
