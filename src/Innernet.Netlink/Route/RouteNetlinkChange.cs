namespace Innernet.Netlink.Route;

/// <summary>Whether a notification reports something added (or updated in place) or removed.</summary>
public enum RouteChangeKind
{
    /// <summary>Added or changed (<c>RTM_NEWLINK</c>, <c>RTM_NEWADDR</c>, <c>RTM_NEWROUTE</c>): the object's current state.</summary>
    Added,

    /// <summary>Removed (<c>RTM_DELLINK</c>, <c>RTM_DELADDR</c>, <c>RTM_DELROUTE</c>): the object's last state.</summary>
    Removed,
}

/// <summary>
/// One event of a <see cref="RouteChangeSubscription"/>: a <see cref="LinkChange"/>, <see cref="AddressChange"/>,
/// <see cref="RouteChange"/>, or <see cref="ResyncRequired"/> when notifications were lost.
/// </summary>
public abstract class RouteNetlinkChange
{
    private protected RouteNetlinkChange()
    {
    }
}

/// <summary>A change of one link, address or route: <see cref="Kind"/> says whether it was added (or changed) or removed.</summary>
public abstract class RouteObjectChange : RouteNetlinkChange
{
    private protected RouteObjectChange(RouteChangeKind kind) => Kind = kind;

    /// <summary>Added/changed or removed.</summary>
    public RouteChangeKind Kind { get; }
}

/// <summary>A link appeared, changed (flags, MTU, operational state, name) or disappeared.</summary>
public sealed class LinkChange : RouteObjectChange
{
    internal LinkChange(RouteChangeKind kind, LinkInfo link)
        : base(kind) => Link = link;

    /// <summary>The link as the kernel reported it in the notification.</summary>
    public LinkInfo Link { get; }

    /// <summary><c>Added link 3 wg0</c>, for logs and test output.</summary>
    public override string ToString() => $"{Kind} link {Link.Index} {Link.Name}";
}

/// <summary>An IPv4 or IPv6 address was added to (or updated on) a link, or removed from it.</summary>
public sealed class AddressChange : RouteObjectChange
{
    internal AddressChange(RouteChangeKind kind, int interfaceIndex, InterfaceAddress address, int scope, string? label)
        : base(kind)
    {
        InterfaceIndex = interfaceIndex;
        Address = address;
        Scope = scope;
        Label = label;
    }

    /// <summary>The link's index (<c>ifa_index</c>).</summary>
    public int InterfaceIndex { get; }

    /// <summary>The address and prefix length.</summary>
    public InterfaceAddress Address { get; }

    /// <summary>The scope (<c>ifa_scope</c>: 0 universe, 253 link, 254 host).</summary>
    public int Scope { get; }

    /// <summary>The IPv4 label (<c>IFA_LABEL</c>), null when absent.</summary>
    public string? Label { get; }

    /// <summary><c>Added address 10.0.0.1/24 on 3</c>, for logs and test output.</summary>
    public override string ToString() => $"{Kind} address {Address} on {InterfaceIndex}";
}

/// <summary>A route was added (or replaced) or removed, in any table (see <see cref="RouteInfo.Table"/>).</summary>
public sealed class RouteChange : RouteObjectChange
{
    internal RouteChange(RouteChangeKind kind, RouteInfo route)
        : base(kind) => Route = route;

    /// <summary>The route as the kernel reported it.</summary>
    public RouteInfo Route { get; }

    /// <summary><c>Removed route 10.1.0.0/16 dev 3 table 254</c>, for logs and test output.</summary>
    public override string ToString() => $"{Kind} route {Route}";
}

/// <summary>
/// Notifications were lost: the socket's receive buffer overran (the kernel reported <c>ENOBUFS</c>). The state
/// built from earlier events can no longer be trusted: re-read it (<see cref="RouteNetlinkClient.GetLinks"/>,
/// <see cref="RouteNetlinkClient.GetAddresses"/>, <see cref="RouteNetlinkClient.GetRoutes"/>) and keep applying the
/// events that follow this one. Events after it were received after the loss.
/// </summary>
public sealed class ResyncRequired : RouteNetlinkChange
{
    internal ResyncRequired()
    {
    }

    /// <summary><c>Resync required</c>.</summary>
    public override string ToString() => "Resync required (notifications were lost)";
}
