using Innernet.Core.Model;

namespace Innernet.Core.Persistence;

/// <summary>
/// A peer before and after a key change (redeem, re-issued invitation). The server must remove
/// <c>Before.PublicKey</c> from its WireGuard interface and add <c>After.PublicKey</c>: as long as the old
/// temporary key stays configured, whoever holds the old invitation can still reach the API as this peer.
/// </summary>
public sealed record PeerChange(Peer Before, Peer After);
