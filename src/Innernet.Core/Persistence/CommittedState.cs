using System.Collections.Immutable;
using Innernet.Core.Acl;
using Innernet.Core.Model;

namespace Innernet.Core.Persistence;

/// <summary>
/// One committed state of a <see cref="ServerStore"/>, read as a whole (peers, CIDRs and associations of the same
/// commit), for code that compares successive states: arrays in id order, and an unchanged row or table keeps its
/// object from one state to the next, so "what changed" is a reference comparison (a state re-read from the file
/// after a failed write has new objects everywhere: it compares as changed, never as unchanged; one read after another
/// replica's commit keeps the objects of the rows that commit left as they were).
/// </summary>
public sealed class CommittedState
{
    private readonly StoreSnapshot _snapshot;

    internal CommittedState(StoreSnapshot snapshot) => _snapshot = snapshot;

    /// <summary>The store's <see cref="ServerStore.Version"/> of this state.</summary>
    public long Version => _snapshot.Version;

    /// <summary>
    /// When this state's commit returned, as a <see cref="System.Diagnostics.Stopwatch"/> timestamp; 0 when unknown (the
    /// state the store was opened with).
    /// </summary>
    public long CommittedAt => _snapshot.CommittedAt;

    /// <summary>Every peer (disabled and unredeemed ones included), in id order.</summary>
    public ImmutableArray<Peer> Peers => _snapshot.Peers;

    /// <summary>Every CIDR, in id order.</summary>
    public ImmutableArray<Cidr> Cidrs => _snapshot.Cidrs;

    /// <summary>Every association, in id order.</summary>
    public ImmutableArray<Association> Associations => _snapshot.Associations;

    /// <summary>The ACL index of this state (built once per state, shared with <see cref="ServerStore.GetView"/>).</summary>
    public NetworkView View => _snapshot.View;

    /// <summary>The peer with this id in this state, or null.</summary>
    public Peer? FindPeer(long id) => _snapshot.FindPeer(id);
}
