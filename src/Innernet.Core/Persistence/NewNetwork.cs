using Innernet.Core.Model;
using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Persistence;

/// <summary>What <c>innernet-server new</c> puts into a fresh database.</summary>
/// <param name="Name">The network (and interface) name; also the root CIDR's name.</param>
/// <param name="Root">The whole overlay range, CIDR id 1.</param>
/// <param name="ServerIp">The server's overlay IP (normally the first assignable address of <paramref name="Root"/>).</param>
/// <param name="ServerPublicKey">The server's WireGuard public key (peer id 1).</param>
/// <param name="ExternalEndpoint">The server's underlay endpoint that invitees connect to.</param>
public sealed record NewNetwork(
    string Name,
    IPNetwork Root,
    IPAddress ServerIp,
    WireGuardKey ServerPublicKey,
    Endpoint ExternalEndpoint);
