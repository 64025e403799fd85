using System.Linq;
using System.Net.Sockets;
using System.Runtime.Versioning;
using Innernet.Netlink.Errors;
using Innernet.Netlink.Interop;
using Innernet.Netlink.Sockets;

namespace Innernet.Netlink.Route;

/// <summary>
/// Links, addresses and routes over rtnetlink (<c>NETLINK_ROUTE</c>), in the network namespace of the thread
/// that created the client (use <see cref="NetworkNamespace.Run{T}(string, Func{T})"/> for another one).
/// Every change asks the kernel for an ACK; errors surface as <see cref="NetlinkException"/> with the
/// kernel's extended-ACK text. Not thread-safe: use one instance per thread.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class RouteNetlinkClient : IDisposable
{
    private readonly NetlinkConnection _connection;
    private bool _disposed;

    /// <summary>Opens an rtnetlink socket in the calling thread's network namespace.</summary>
    /// <exception cref="NetlinkException">The socket could not be created or bound.</exception>
    public RouteNetlinkClient()
        : this(NetlinkConnection.Open(LinuxNetlink.NETLINK_ROUTE))
    {
    }

    internal RouteNetlinkClient(NetlinkConnection connection)
    {
        _connection = connection;
    }

    /// <summary>Every link in the namespace.</summary>
    /// <exception cref="NetlinkException">The kernel refused the dump.</exception>
    /// <exception cref="NetlinkProtocolException">A reply was malformed.</exception>
    public IReadOnlyList<LinkInfo> GetLinks()
    {
        var links = new List<LinkInfo>();
        foreach (byte[] message in Dump(RouteMessages.GetLinkDump(), "RTM_GETLINK dump"))
        {
            if (RouteMessages.ParseLink(message) is { } link)
            {
                links.Add(link);
            }
        }

        return links;
    }

    /// <summary>The links of kind <c>wireguard</c> (filtered client-side, like <c>wg</c>).</summary>
    /// <exception cref="NetlinkException">The kernel refused the dump.</exception>
    public IReadOnlyList<LinkInfo> GetWireGuardLinks() => GetLinks().Where(l => l.IsWireGuard).ToList();

    /// <summary>The link named <paramref name="name"/>, or null when there is none.</summary>
    /// <exception cref="ArgumentException">The name is not a valid interface name.</exception>
    /// <exception cref="NetlinkException">The kernel answered with an error other than <c>ENODEV</c>.</exception>
    public LinkInfo? GetLink(string name)
    {
        InterfaceName.Validate(name);
        return QueryLink(RouteMessages.GetLink(name), $"RTM_GETLINK {name}");
    }

    /// <summary>The link with index <paramref name="index"/>, or null when there is none.</summary>
    /// <exception cref="NetlinkException">The kernel answered with an error other than <c>ENODEV</c>.</exception>
    public LinkInfo? GetLink(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(index);
        return QueryLink(RouteMessages.GetLink(index), $"RTM_GETLINK ifindex {index}");
    }

    /// <summary>Creates a kernel WireGuard link (<c>RTM_NEWLINK</c> kind <c>wireguard</c>) and returns it.</summary>
    /// <exception cref="ArgumentException">The name is not a valid interface name.</exception>
    /// <exception cref="NetlinkException">
    /// <c>EEXIST</c> when the name is taken; <c>EOPNOTSUPP</c> ("Unknown device type") when the kernel has no WireGuard.
    /// </exception>
    public LinkInfo CreateWireGuardLink(string name)
    {
        InterfaceName.Validate(name);
        Execute(RouteMessages.NewWireGuardLink(name), $"RTM_NEWLINK wireguard {name}");
        return GetLink(name) ?? throw new NetlinkProtocolException($"Link {name} was created but cannot be read back.");
    }

    /// <summary>Deletes the link named <paramref name="name"/>; false when it did not exist.</summary>
    /// <exception cref="NetlinkException">The kernel answered with an error other than <c>ENODEV</c>.</exception>
    public bool DeleteLink(string name)
    {
        InterfaceName.Validate(name);
        return ExecuteUnless(RouteMessages.DeleteLink(name), $"RTM_DELLINK {name}", Errno.ENODEV);
    }

    /// <summary>Deletes the link with index <paramref name="index"/>; false when it did not exist.</summary>
    /// <exception cref="NetlinkException">The kernel answered with an error other than <c>ENODEV</c>.</exception>
    public bool DeleteLink(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(index);
        return ExecuteUnless(RouteMessages.DeleteLink(index), $"RTM_DELLINK ifindex {index}", Errno.ENODEV);
    }

    /// <summary>Sets the link administratively up or down, changing only <c>IFF_UP</c>.</summary>
    /// <exception cref="NetlinkException">The kernel refused (e.g. <c>ENODEV</c>).</exception>
    public void SetLinkUp(int index, bool up = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(index);
        Execute(RouteMessages.SetLinkUp(index, up), $"RTM_SETLINK ifindex {index} {(up ? "up" : "down")}");
    }

    /// <summary>Sets the link's MTU.</summary>
    /// <exception cref="NetlinkException">The kernel refused (e.g. <c>EINVAL</c> for an MTU out of range).</exception>
    public void SetMtu(int index, int mtu)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(index);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(mtu);
        Execute(RouteMessages.SetMtu(index, mtu), $"RTM_SETLINK ifindex {index} mtu {mtu}");
    }

    /// <summary>IPv4 and IPv6 addresses, of one link or of all links.</summary>
    /// <exception cref="NetlinkException">The kernel refused the dump.</exception>
    public IReadOnlyList<InterfaceAddress> GetAddresses(int? index = null) =>
        GetAddressEntries().Where(e => index is null || e.Index == index).Select(e => e.Address).ToList();

    /// <summary>Adds an address (<c>CREATE|EXCL</c>); the kernel adds the prefix route.</summary>
    /// <exception cref="NetlinkException"><c>EEXIST</c> when the address is already assigned; other kernel errors.</exception>
    public void AddAddress(int index, InterfaceAddress address) =>
        Execute(RouteMessages.Address(LinuxRtnetlink.RTM_NEWADDR,
                LinuxNetlink.NLM_F_REQUEST | LinuxNetlink.NLM_F_ACK | LinuxNetlink.NLM_F_CREATE | LinuxNetlink.NLM_F_EXCL,
                CheckIndex(index), Check(address)),
            $"RTM_NEWADDR {address} on ifindex {index}");

    /// <summary>Adds or updates an address (<c>CREATE|REPLACE</c>: idempotent).</summary>
    /// <exception cref="NetlinkException">The kernel refused.</exception>
    public void ReplaceAddress(int index, InterfaceAddress address) =>
        Execute(RouteMessages.Address(LinuxRtnetlink.RTM_NEWADDR,
                LinuxNetlink.NLM_F_REQUEST | LinuxNetlink.NLM_F_ACK | LinuxNetlink.NLM_F_CREATE | LinuxNetlink.NLM_F_REPLACE,
                CheckIndex(index), Check(address)),
            $"RTM_NEWADDR (replace) {address} on ifindex {index}");

    /// <summary>Removes an address; false when it was not assigned (<c>EADDRNOTAVAIL</c>).</summary>
    /// <exception cref="NetlinkException">The kernel answered with another error (e.g. <c>ENODEV</c>).</exception>
    public bool DeleteAddress(int index, InterfaceAddress address) =>
        ExecuteUnless(RouteMessages.Address(LinuxRtnetlink.RTM_DELADDR, LinuxNetlink.NLM_F_REQUEST | LinuxNetlink.NLM_F_ACK,
                CheckIndex(index), Check(address)),
            $"RTM_DELADDR {address} on ifindex {index}", Errno.EADDRNOTAVAIL);

    /// <summary>The routes of the main table for <paramref name="family"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="family"/> is neither IPv4 nor IPv6.</exception>
    /// <exception cref="NetlinkException">The kernel refused the dump.</exception>
    public IReadOnlyList<RouteInfo> GetRoutes(AddressFamily family)
    {
        var routes = new List<RouteInfo>();
        foreach (byte[] message in Dump(RouteMessages.GetRouteDump(family), $"RTM_GETROUTE {family} dump"))
        {
            if (RouteMessages.ParseRoute(message) is { Table: LinuxRtnetlink.RT_TABLE_MAIN } route)
            {
                routes.Add(route);
            }
        }

        return routes;
    }

    /// <summary>
    /// Adds a device route to <paramref name="destination"/> (host bits cleared) via the interface, in the main
    /// table (proto boot, scope link for IPv4 and universe for IPv6); false when it already existed.
    /// </summary>
    /// <exception cref="NetlinkException">The kernel refused (other than <c>EEXIST</c>).</exception>
    public bool AddRoute(IPNetwork destination, int outputInterfaceIndex) =>
        ExecuteUnless(RouteMessages.NewRoute(destination, CheckIndex(outputInterfaceIndex)),
            $"RTM_NEWROUTE {destination} dev {outputInterfaceIndex}", Errno.EEXIST);

    /// <summary>Deletes the device route; false when there was none (<c>ESRCH</c>).</summary>
    /// <exception cref="NetlinkException">The kernel refused (other than <c>ESRCH</c>).</exception>
    public bool DeleteRoute(IPNetwork destination, int outputInterfaceIndex) =>
        ExecuteUnless(RouteMessages.DeleteRoute(destination, CheckIndex(outputInterfaceIndex)),
            $"RTM_DELROUTE {destination} dev {outputInterfaceIndex}", Errno.ESRCH);

    /// <summary>
    /// The addresses a peer on another network could reach this host at: addresses of scope universe on non-loopback
    /// links whose operstate is UP (IPv4), plus global-unicast IPv6 addresses (not documentation, link-local, ULA,
    /// multicast, loopback or unspecified). All of them, in the kernel's dump order.
    /// </summary>
    /// <exception cref="NetlinkException">The kernel refused a dump.</exception>
    public IReadOnlyList<IPAddress> GetLocalAddresses() => LocalAddresses.Select(GetLinks(), GetAddressEntries());

    /// <summary>Closes the socket.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _connection.Dispose();
        }
    }

    private List<AddressEntry> GetAddressEntries()
    {
        var entries = new List<AddressEntry>();
        foreach (byte[] message in Dump(RouteMessages.GetAddressDump(), "RTM_GETADDR dump"))
        {
            if (RouteMessages.ParseAddress(message) is { } entry)
            {
                entries.Add(entry);
            }
        }

        return entries;
    }

    private LinkInfo? QueryLink(byte[] request, string operation)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        try
        {
            foreach (byte[] message in _connection.Execute(request, operation))
            {
                if (RouteMessages.ParseLink(message) is { } link)
                {
                    return link;
                }
            }

            return null;
        }
        catch (NetlinkErrorException e) when (e.Errno == Errno.ENODEV)
        {
            return null;
        }
    }

    private List<byte[]> Dump(byte[] request, string operation)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _connection.Dump(request, operation);
    }

    private void Execute(byte[] request, string operation)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _connection.Execute(request, operation);
    }

    private bool ExecuteUnless(byte[] request, string operation, Errno benignErrno)
    {
        try
        {
            Execute(request, operation);
            return true;
        }
        catch (NetlinkErrorException e) when (e.Errno == benignErrno)
        {
            return false;
        }
    }

    private static int CheckIndex(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(index);
        return index;
    }

    private static InterfaceAddress Check(InterfaceAddress address)
    {
        ArgumentNullException.ThrowIfNull(address.Address, nameof(address));
        if (address.PrefixLength < 0 || address.PrefixLength > InterfaceAddress.MaxPrefix(address.Address))
        {
            throw new ArgumentOutOfRangeException(nameof(address), address.PrefixLength, $"Invalid prefix length for {address.Address}.");
        }

        return address;
    }
}
