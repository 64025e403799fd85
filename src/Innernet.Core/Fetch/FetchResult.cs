using Innernet.Core.Model;
using Innernet.Core.Nat;
using Innernet.Core.Sync;

namespace Innernet.Core.Fetch;

/// <summary>What a fetch did.</summary>
/// <param name="ServerReachable">False when the server could not be reached and the cached peers were used.</param>
/// <param name="BroughtUp">True when the interface was down and was brought up.</param>
/// <param name="Changes">The peer changes applied (NAT-reattempt-only entries included).</param>
/// <param name="Peers">The peers the interface was configured from (local overrides applied).</param>
/// <param name="HostsWritten">True when the hosts file section was rewritten.</param>
/// <param name="ReportedCandidates">The candidates sent to the server (null when none were sent).</param>
/// <param name="NatTraversal">The traversal outcome, or null when it did not run.</param>
public sealed record FetchResult(
    bool ServerReachable,
    bool BroughtUp,
    IReadOnlyList<DevicePeerChange> Changes,
    IReadOnlyList<Peer> Peers,
    bool HostsWritten,
    IReadOnlyList<Endpoint>? ReportedCandidates,
    NatTraversalResult? NatTraversal)
{
    /// <summary>
    /// True when the server answered 304 to the conditional request: nothing changed since the answer in the cache,
    /// which was applied (and checked) again.
    /// </summary>
    public bool NotModified { get; init; }

    /// <summary>The server's answer as applied (before local overrides); null when the cached peers were used.</summary>
    public State? ServerState { get; init; }
}
