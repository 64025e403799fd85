namespace Innernet.Netlink.Route;

/// <summary>A route as reported by <c>RTM_NEWROUTE</c>.</summary>
/// <param name="Destination">The destination prefix (<c>RTA_DST</c>/<c>rtm_dst_len</c>; 0.0.0.0/0 or ::/0 for a default route).</param>
/// <param name="OutputInterfaceIndex">The output interface (<c>RTA_OIF</c>), 0 when none.</param>
/// <param name="Table">The routing table (<c>rtm_table</c>; 254 = main).</param>
/// <param name="Protocol">Who installed it (<c>rtm_protocol</c>; 2 kernel, 3 boot, 4 static).</param>
/// <param name="Scope">The scope (<c>rtm_scope</c>; 0 universe, 253 link, 254 host).</param>
/// <param name="Type">The route type (<c>rtm_type</c>; 1 unicast).</param>
public sealed record RouteInfo(IPNetwork Destination, int OutputInterfaceIndex, byte Table, byte Protocol, byte Scope, byte Type);
