using System.Net.Sockets;
using Innernet.Netlink.Errors;
using Innernet.Netlink.Interop;
using Innernet.Netlink.Protocol;
using static Innernet.Netlink.Interop.LinuxNetlink;
using static Innernet.Netlink.Interop.LinuxRtnetlink;
using static Innernet.Netlink.Interop.LinuxSocket;

namespace Innernet.Netlink.Route;

/// <summary>
/// Pure encoders and decoders of the rtnetlink messages <see cref="RouteNetlinkClient"/> uses
/// (links, addresses, routes). Requests carry sequence 0 until the connection stamps them.
/// </summary>
internal static class RouteMessages
{
    private const int RequestBufferSize = 256;

    public static byte Family(AddressFamily family) => family switch
    {
        AddressFamily.InterNetwork => AF_INET,
        AddressFamily.InterNetworkV6 => AF_INET6,
        _ => throw new ArgumentException($"Only IPv4 and IPv6 are supported, not {family}.", nameof(family)),
    };

    /// <summary>The inverse of <see cref="Family(AddressFamily)"/>; null for families other than IPv4 and IPv6.</summary>
    private static AddressFamily? FromKernelFamily(byte family) => family switch
    {
        AF_INET => AddressFamily.InterNetwork,
        AF_INET6 => AddressFamily.InterNetworkV6,
        _ => null,
    };

    /// <summary><c>RTM_GETLINK</c> dump of every link (stats skipped).</summary>
    public static byte[] GetLinkDump() => Build(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, (ref NetlinkWriter w) =>
    {
        w.WriteHeader(new IfInfoMsg(AF_UNSPEC, 0, 0, 0, 0));
        w.WriteU32(LinuxIfLink.IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
    });

    /// <summary><c>RTM_GETLINK</c> of one link by name.</summary>
    public static byte[] GetLink(string name) => Build(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, (ref NetlinkWriter w) =>
    {
        w.WriteHeader(new IfInfoMsg(AF_UNSPEC, 0, 0, 0, 0));
        w.WriteString(LinuxIfLink.IFLA_IFNAME, name);
        w.WriteU32(LinuxIfLink.IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
    });

    /// <summary><c>RTM_GETLINK</c> of one link by index.</summary>
    public static byte[] GetLink(int index) => Build(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, (ref NetlinkWriter w) =>
    {
        w.WriteHeader(new IfInfoMsg(AF_UNSPEC, 0, index, 0, 0));
        w.WriteU32(LinuxIfLink.IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
    });

    /// <summary><c>RTM_NEWLINK</c> creating a link of kind <c>wireguard</c> (<c>CREATE|EXCL</c>).</summary>
    public static byte[] NewWireGuardLink(string name) =>
        Build(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, (ref NetlinkWriter w) =>
        {
            w.WriteHeader(new IfInfoMsg(AF_UNSPEC, 0, 0, 0, 0));
            w.WriteString(LinuxIfLink.IFLA_IFNAME, name);
            var info = w.BeginNested(LinuxIfLink.IFLA_LINKINFO);
            w.WriteString(LinuxIfLink.IFLA_INFO_KIND, LinuxIfLink.WireGuardKind);
            w.EndNested(info);
        });

    /// <summary><c>RTM_DELLINK</c> by index.</summary>
    public static byte[] DeleteLink(int index) => Build(RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK, (ref NetlinkWriter w) =>
        w.WriteHeader(new IfInfoMsg(AF_UNSPEC, 0, index, 0, 0)));

    /// <summary><c>RTM_DELLINK</c> by name.</summary>
    public static byte[] DeleteLink(string name) => Build(RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK, (ref NetlinkWriter w) =>
    {
        w.WriteHeader(new IfInfoMsg(AF_UNSPEC, 0, 0, 0, 0));
        w.WriteString(LinuxIfLink.IFLA_IFNAME, name);
    });

    /// <summary><c>RTM_SETLINK</c> changing only <c>IFF_UP</c> (<c>ifi_change = IFF_UP</c>, never 0).</summary>
    public static byte[] SetLinkUp(int index, bool up) => Build(RTM_SETLINK, NLM_F_REQUEST | NLM_F_ACK, (ref NetlinkWriter w) =>
        w.WriteHeader(new IfInfoMsg(AF_UNSPEC, 0, index, up ? LinuxIfLink.IFF_UP : 0, LinuxIfLink.IFF_UP)));

    /// <summary><c>RTM_SETLINK</c> with <c>IFLA_MTU</c> (flags and change 0: flags untouched).</summary>
    public static byte[] SetMtu(int index, int mtu) => Build(RTM_SETLINK, NLM_F_REQUEST | NLM_F_ACK, (ref NetlinkWriter w) =>
    {
        w.WriteHeader(new IfInfoMsg(AF_UNSPEC, 0, index, 0, 0));
        w.WriteU32(LinuxIfLink.IFLA_MTU, (uint)mtu);
    });

    /// <summary><c>RTM_GETADDR</c> dump of both families.</summary>
    public static byte[] GetAddressDump() => Build(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, (ref NetlinkWriter w) =>
        w.WriteHeader(new IfAddrMsg(AF_UNSPEC, 0, 0, 0, 0)));

    /// <summary>
    /// <c>RTM_NEWADDR</c>/<c>RTM_DELADDR</c>: IPv4 carries <c>IFA_LOCAL</c> and <c>IFA_ADDRESS</c>; IPv6 carries
    /// <c>IFA_ADDRESS</c> and, when adding, <c>IFA_FLAGS = IFA_F_NODAD</c> (a tunnel needs no duplicate detection).
    /// </summary>
    public static byte[] Address(ushort type, ushort flags, int index, InterfaceAddress address) =>
        Build(type, flags, (ref NetlinkWriter w) =>
        {
            byte family = Family(address.Address.AddressFamily);
            w.WriteHeader(new IfAddrMsg(family, (byte)address.PrefixLength, 0, RT_SCOPE_UNIVERSE, (uint)index));
            if (family == AF_INET)
            {
                w.WriteAddress(LinuxIfAddr.IFA_LOCAL, address.Address);
                w.WriteAddress(LinuxIfAddr.IFA_ADDRESS, address.Address);
            }
            else
            {
                w.WriteAddress(LinuxIfAddr.IFA_ADDRESS, address.Address);
                if (type == RTM_NEWADDR)
                {
                    w.WriteU32(LinuxIfAddr.IFA_FLAGS, LinuxIfAddr.IFA_F_NODAD);
                }
            }
        });

    /// <summary><c>RTM_GETROUTE</c> dump of the main table (kernel-filtered with strict checking).</summary>
    public static byte[] GetRouteDump(AddressFamily family) => Build(RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, (ref NetlinkWriter w) =>
        w.WriteHeader(new RtMsg(Family(family), 0, 0, 0, RT_TABLE_MAIN, 0, 0, 0, 0)));

    /// <summary>
    /// <c>RTM_NEWROUTE</c> (<c>CREATE|EXCL</c>) of a device route: main table, proto boot, scope link (IPv4) or
    /// universe (IPv6), unicast, masked <c>RTA_DST</c> and <c>RTA_OIF</c>.
    /// </summary>
    public static byte[] NewRoute(IPNetwork destination, int outputInterfaceIndex) =>
        Build(RTM_NEWROUTE, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, (ref NetlinkWriter w) =>
        {
            byte family = Family(destination.BaseAddress.AddressFamily);
            byte scope = family == AF_INET ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
            w.WriteHeader(new RtMsg(family, (byte)destination.PrefixLength, 0, 0, RT_TABLE_MAIN, RTPROT_BOOT, scope, RTN_UNICAST, 0));
            w.WriteAddress((ushort)rtattr_type_t.RTA_DST, InterfaceAddress.Mask(destination.BaseAddress, destination.PrefixLength));
            w.WriteU32((ushort)rtattr_type_t.RTA_OIF, (uint)outputInterfaceIndex);
        });

    /// <summary><c>RTM_DELROUTE</c> matching destination, device and the main table (scope <c>RT_SCOPE_NOWHERE</c> = any, as <c>ip route
    /// del</c>).</summary>
    public static byte[] DeleteRoute(IPNetwork destination, int outputInterfaceIndex) =>
        Build(RTM_DELROUTE, NLM_F_REQUEST | NLM_F_ACK, (ref NetlinkWriter w) =>
        {
            byte family = Family(destination.BaseAddress.AddressFamily);
            w.WriteHeader(new RtMsg(
                family, (byte)destination.PrefixLength, 0, 0, RT_TABLE_MAIN, RTPROT_UNSPEC, RT_SCOPE_NOWHERE, RTN_UNSPEC, 0));
            w.WriteAddress((ushort)rtattr_type_t.RTA_DST, InterfaceAddress.Mask(destination.BaseAddress, destination.PrefixLength));
            w.WriteU32((ushort)rtattr_type_t.RTA_OIF, (uint)outputInterfaceIndex);
        });

    /// <summary>
    /// Decodes one notification of the link, address and route groups (header included); null for other message
    /// types and for address families other than IPv4 and IPv6.
    /// </summary>
    public static RouteNetlinkChange? ParseChange(ReadOnlySpan<byte> message)
    {
        ushort type = NlMsgHeader.Read(message).Type;
        switch (type)
        {
            case RTM_NEWLINK or RTM_DELLINK:
                return ParseLink(message) is { } link ? new LinkChange(KindOf(type, RTM_NEWLINK), link) : null;
            case RTM_NEWADDR or RTM_DELADDR:
                return ParseAddress(message) is { } entry
                    ? new AddressChange(KindOf(type, RTM_NEWADDR), entry.Index, entry.Address, entry.Scope, entry.Label)
                    : null;
            case RTM_NEWROUTE or RTM_DELROUTE:
                return ParseRoute(message) is { } route ? new RouteChange(KindOf(type, RTM_NEWROUTE), route) : null;
            default:
                return null;
        }
    }

    private static RouteChangeKind KindOf(ushort type, ushort added) => type == added ? RouteChangeKind.Added : RouteChangeKind.Removed;

    /// <summary>Decodes an <c>RTM_NEWLINK</c> or <c>RTM_DELLINK</c> message (header included).</summary>
    public static LinkInfo? ParseLink(ReadOnlySpan<byte> message)
    {
        NlMsgHeader header = NlMsgHeader.Read(message);
        if (header.Type is not (RTM_NEWLINK or RTM_DELLINK))
        {
            return null;
        }

        ReadOnlySpan<byte> payload = message[NlMsgHeader.Size..];
        IfInfoMsg info = IfInfoMsg.Read(payload);
        string? name = null;
        string? kind = null;
        int mtu = 0;
        byte operState = 0;
        foreach (NetlinkAttribute attribute in new AttributeReader(payload[IfInfoMsg.Size..]))
        {
            switch (attribute.Type)
            {
                case LinuxIfLink.IFLA_IFNAME:
                    name = attribute.GetString();
                    break;
                case LinuxIfLink.IFLA_MTU:
                    mtu = (int)attribute.GetU32();
                    break;
                case LinuxIfLink.IFLA_OPERSTATE:
                    operState = attribute.GetU8();
                    break;
                case LinuxIfLink.IFLA_LINKINFO:
                    foreach (NetlinkAttribute inner in attribute.GetNested())
                    {
                        if (inner.Type == LinuxIfLink.IFLA_INFO_KIND)
                        {
                            kind = inner.GetString();
                        }
                    }

                    break;
            }
        }

        if (name is null)
        {
            ThrowHelper.ThrowProtocol($"RTM_NEWLINK for ifindex {info.Index} has no IFLA_IFNAME.");
        }

        return new LinkInfo
        {
            Index = info.Index,
            Name = name,
            Kind = kind,
            Flags = info.Flags,
            Mtu = mtu,
            OperationalStatus = LinkInfo.FromKernel(operState),
        };
    }

    /// <summary>Decodes an <c>RTM_NEWADDR</c> or <c>RTM_DELADDR</c> message; null for other types or families.</summary>
    public static AddressEntry? ParseAddress(ReadOnlySpan<byte> message)
    {
        NlMsgHeader header = NlMsgHeader.Read(message);
        if (header.Type is not (RTM_NEWADDR or RTM_DELADDR))
        {
            return null;
        }

        ReadOnlySpan<byte> payload = message[NlMsgHeader.Size..];
        IfAddrMsg msg = IfAddrMsg.Read(payload);
        if (FromKernelFamily(msg.Family) is not { } family)
        {
            return null;
        }

        IPAddress? local = null;
        IPAddress? address = null;
        string? label = null;
        uint flags = msg.Flags;
        foreach (NetlinkAttribute attribute in new AttributeReader(payload[IfAddrMsg.Size..]))
        {
            switch (attribute.Type)
            {
                case LinuxIfAddr.IFA_LOCAL:
                    local = attribute.GetAddress(family);
                    break;
                case LinuxIfAddr.IFA_ADDRESS:
                    address = attribute.GetAddress(family);
                    break;
                case LinuxIfAddr.IFA_LABEL:
                    label = attribute.GetString();
                    break;
                case LinuxIfAddr.IFA_FLAGS:
                    flags = attribute.GetU32();
                    break;
            }
        }

        // IFA_LOCAL is the interface's own address; IFA_ADDRESS is the peer's on point-to-point links.
        IPAddress? own = local ?? address;
        if (own is null)
        {
            ThrowHelper.ThrowProtocol($"RTM_NEWADDR on ifindex {msg.Index} carries neither IFA_LOCAL nor IFA_ADDRESS.");
        }

        if (msg.PrefixLength > InterfaceAddress.MaxPrefix(own))
        {
            ThrowHelper.ThrowProtocol($"RTM_NEWADDR prefix length {msg.PrefixLength} is too long for {own}.");
        }

        return new AddressEntry((int)msg.Index, msg.Scope, flags, new InterfaceAddress(own, msg.PrefixLength), label);
    }

    /// <summary>Decodes an <c>RTM_NEWROUTE</c> or <c>RTM_DELROUTE</c> message; null for other types or families.</summary>
    public static RouteInfo? ParseRoute(ReadOnlySpan<byte> message)
    {
        NlMsgHeader header = NlMsgHeader.Read(message);
        if (header.Type is not (RTM_NEWROUTE or RTM_DELROUTE))
        {
            return null;
        }

        ReadOnlySpan<byte> payload = message[NlMsgHeader.Size..];
        RtMsg rt = RtMsg.Read(payload);
        if (FromKernelFamily(rt.Family) is not { } family)
        {
            return null;
        }

        IPAddress destination = family == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any;
        int oif = 0;
        uint table = rt.Table;
        foreach (NetlinkAttribute attribute in new AttributeReader(payload[RtMsg.Size..]))
        {
            switch ((rtattr_type_t)attribute.Type)
            {
                case rtattr_type_t.RTA_DST:
                    destination = attribute.GetAddress(family);
                    break;
                case rtattr_type_t.RTA_OIF:
                    oif = (int)attribute.GetU32();
                    break;
                case rtattr_type_t.RTA_TABLE:
                    table = attribute.GetU32();
                    break;
            }
        }

        if (rt.DestinationLength > InterfaceAddress.MaxPrefix(destination))
        {
            ThrowHelper.ThrowProtocol($"RTM_NEWROUTE dst_len {rt.DestinationLength} is too long for {destination}.");
        }

        var network = new IPNetwork(InterfaceAddress.Mask(destination, rt.DestinationLength), rt.DestinationLength);
        return new RouteInfo
        {
            Destination = network,
            OutputInterfaceIndex = oif,
            Table = table <= int.MaxValue ? (int)table : rt.Table,
            Protocol = rt.Protocol,
            Scope = rt.Scope,
            Type = rt.Type,
        };
    }

    private delegate void Body(ref NetlinkWriter writer);

    private static byte[] Build(ushort type, int flags, Body body)
    {
        var buffer = new byte[RequestBufferSize];
        var writer = new NetlinkWriter(buffer);
        writer.BeginMessage(type, (ushort)flags);
        body(ref writer);
        writer.EndMessage();
        return writer.Written.ToArray();
    }
}
