using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Nat;

/// <summary>What NAT traversal did.</summary>
/// <param name="Attempts">Every endpoint set, in order.</param>
/// <param name="Connected">Peers that were traversed and had a recent handshake at the end.</param>
/// <param name="Steps">Candidate rounds run.</param>
public sealed record NatTraversalResult(IReadOnlyList<NatAttempt> Attempts, IReadOnlyList<WireGuardKey> Connected, int Steps);
