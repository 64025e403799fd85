using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Nat;

/// <summary>One candidate tried: the endpoint set for a peer, and when.</summary>
/// <param name="PublicKey">The peer.</param>
/// <param name="PeerName">Its name.</param>
/// <param name="Endpoint">The endpoint set on the device.</param>
/// <param name="At">When it was set.</param>
public sealed record NatAttempt(WireGuardKey PublicKey, string PeerName, IPEndPoint Endpoint, DateTimeOffset At);
