using System.Collections.Immutable;
using Innernet.Core.Model;

namespace Innernet.Core.Persistence;

/// <summary>A peer row that differs between two looks at the store: <see cref="Before"/> null when added, <see cref="After"/> null when
/// removed.</summary>
public readonly record struct PeerRowChange(long Id, Peer? Before, Peer? After);

/// <summary>
/// What changed between two looks at the store's peers. The store's lists are in id order and share the objects of
/// unchanged rows (<see cref="ServerStore.ListPeers"/>, <see cref="CommittedState.Peers"/>), so the difference is one
/// walk comparing references: what follows the store (the live feed, the WireGuard reconciler) pays for the rows
/// written, not for the network.
/// </summary>
public static class PeerRowChanges
{
    /// <summary>The rows added, removed or replaced by another object, in id order.</summary>
    public static List<PeerRowChange> Between(ImmutableArray<Peer> before, ImmutableArray<Peer> after)
        => before == after ? [] : Between((IReadOnlyList<Peer>)before, after);

    /// <summary>
    /// The rows added, removed or replaced by another object, in id order when both lists are; lists not in id order
    /// (built by hand, not by the store) are compared through a dictionary.
    /// </summary>
    public static List<PeerRowChange> Between(IReadOnlyList<Peer> before, IReadOnlyList<Peer> after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var changes = new List<PeerRowChange>();
        if (!InIdOrder(before) || !InIdOrder(after))
        {
            var byId = after.ToDictionary(p => p.Id);
            foreach (var old in before)
            {
                if (!byId.Remove(old.Id, out var now) || !ReferenceEquals(old, now))
                {
                    changes.Add(new PeerRowChange(old.Id, old, now));
                }
            }

            changes.AddRange(byId.Values.Select(now => new PeerRowChange(now.Id, null, now)));
            return changes;
        }

        int i = 0, j = 0;
        while (i < before.Count || j < after.Count)
        {
            var old = i < before.Count ? before[i] : null;
            var now = j < after.Count ? after[j] : null;
            if (now is null || (old is not null && old.Id < now.Id))
            {
                changes.Add(new PeerRowChange(old!.Id, old, null));
                i++;
            }
            else if (old is null || now.Id < old.Id)
            {
                changes.Add(new PeerRowChange(now.Id, null, now));
                j++;
            }
            else
            {
                if (!ReferenceEquals(old, now))
                {
                    changes.Add(new PeerRowChange(now.Id, old, now));
                }

                i++;
                j++;
            }
        }

        return changes;
    }

    /// <summary>True when the ids strictly increase (the store's order).</summary>
    public static bool InIdOrder(IReadOnlyList<Peer> peers)
    {
        ArgumentNullException.ThrowIfNull(peers);
        for (int i = 1; i < peers.Count; i++)
        {
            if (peers[i - 1].Id >= peers[i].Id)
            {
                return false;
            }
        }

        return true;
    }
}
