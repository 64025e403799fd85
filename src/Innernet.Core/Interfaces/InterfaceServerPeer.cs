using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Interfaces;

/// <summary>The one peer a client's interface starts with: the coordination server.</summary>
/// <param name="PublicKey">The server's WireGuard public key.</param>
/// <param name="InternalIp">The server's overlay IP; it becomes the peer's only allowed IP (/32 or /128).</param>
/// <param name="Endpoint">The server's resolved external endpoint, or null to leave it unset.</param>
public sealed record InterfaceServerPeer(WireGuardKey PublicKey, IPAddress InternalIp, IPEndPoint? Endpoint);
