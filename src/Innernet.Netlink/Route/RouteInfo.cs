namespace Innernet.Netlink.Route;

/// <summary>
/// A route as reported by <c>RTM_NEWROUTE</c>. The numeric fields keep the kernel's values (<c>linux/rtnetlink.h</c>),
/// which are open-ended sets (<c>/etc/iproute2/rt_protos</c> adds names at will). New properties may be added later.
/// </summary>
public sealed class RouteInfo
{
    internal RouteInfo()
    {
    }

    /// <summary>The destination prefix (<c>RTA_DST</c>/<c>rtm_dst_len</c>; 0.0.0.0/0 or ::/0 for a default route).</summary>
    public required IPNetwork Destination { get; init; }

    /// <summary>The output interface index (<c>RTA_OIF</c>), 0 when none.</summary>
    public int OutputInterfaceIndex { get; init; }

    /// <summary>The routing table id (<c>RTA_TABLE</c>, else <c>rtm_table</c>; 254 = main).</summary>
    public int Table { get; init; }

    /// <summary>Who installed the route (<c>rtm_protocol</c>: 2 kernel, 3 boot, 4 static, …).</summary>
    public int Protocol { get; init; }

    /// <summary>The scope (<c>rtm_scope</c>: 0 universe, 253 link, 254 host).</summary>
    public int Scope { get; init; }

    /// <summary>The route type (<c>rtm_type</c>: 1 unicast, 2 local, …).</summary>
    public int Type { get; init; }

    /// <summary><c>destination dev index table n</c>, for messages and test output.</summary>
    public override string ToString() => $"{Destination} dev {OutputInterfaceIndex} table {Table}";
}
