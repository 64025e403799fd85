using Innernet.Core.Model;
using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Config;

/// <summary>
/// The <c>[server]</c> section: the server's public key, its underlay endpoint (IP or DNS name) and its API
/// address inside the tunnel.
/// </summary>
public sealed record ServerInfo(WireGuardKey PublicKey, Endpoint ExternalEndpoint, IPEndPoint InternalEndpoint);
