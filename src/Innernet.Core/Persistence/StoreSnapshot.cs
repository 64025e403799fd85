using System.Collections.Immutable;
using System.Runtime.InteropServices;
using System.Threading;
using Innernet.Core.Acl;
using Innernet.Core.Model;
using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Persistence;

/// <summary>
/// An immutable copy of the whole committed database: arrays in id order (a write copies an array: a
/// memcpy, cheaper than tree-list enumeration for the rules' scans) plus the lookups the unique
/// constraints need. Peers by id are found by binary search; the name and key lookups, used only by writes
/// and name look-ups, are built on first use, so a cold open does not pay for them. The store publishes a
/// new snapshot after each committed write; readers take the current one without locking. Derived data (the
/// ACL view) is computed once per snapshot, on demand.
/// Each snapshot carries a <see cref="Version"/>, one more than the snapshot it was derived from.
/// </summary>
internal sealed class StoreSnapshot
{
    private readonly Lazy<NetworkView> _view;
    private readonly Lazy<WriteLookups> _writeLookups;

    private StoreSnapshot(
        ImmutableArray<Cidr> cidrs,
        ImmutableArray<Peer> peers,
        ImmutableArray<Association> associations,
        ImmutableDictionary<IPAddress, long> peerIdsByIp,
        Lazy<WriteLookups> writeLookups,
        IdSequences sequences,
        ImmutableDictionary<IPAddress, ReservedIp> reservedIps,
        long version)
    {
        Version = version;
        ReservedIps = reservedIps;
        Cidrs = cidrs;
        Peers = peers;
        Associations = associations;
        PeerIdsByIp = peerIdsByIp;
        _writeLookups = writeLookups;
        Sequences = sequences;
        _view = new Lazy<NetworkView>(() => new NetworkView(Cidrs, Peers, Associations), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>
    /// Grows by one with every derived snapshot (<c>With…</c>); a snapshot read from the file gets the number
    /// its caller gives. Within one store, equal versions mean equal content.
    /// </summary>
    public long Version { get; }

    /// <summary>
    /// When the commit that made this state durable returned (a <see cref="System.Diagnostics.Stopwatch"/> timestamp), or 0
    /// for a state read from the database. Set once by the writer before the state is published.
    /// </summary>
    public long CommittedAt { get; private set; }

    /// <summary>The writer committed this state (derived from <paramref name="start"/>; the same object: nothing to mark).</summary>
    public void MarkCommitted(StoreSnapshot start)
    {
        if (!ReferenceEquals(this, start))
        {
            CommittedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        }
    }

    public ImmutableArray<Cidr> Cidrs { get; }

    public ImmutableArray<Peer> Peers { get; }

    public ImmutableArray<Association> Associations { get; }

    /// <summary>Built with the snapshot: every API request finds its peer by source address.</summary>
    public ImmutableDictionary<IPAddress, long> PeerIdsByIp { get; }

    /// <summary>Needed by writes and name look-ups only, so built on first use (a cold open at 10,000 peers saves ~0.1 s).</summary>
    public ImmutableDictionary<string, long> PeerIdsByName => _writeLookups.Value.ByName;

    public ImmutableDictionary<WireGuardKey, long> PeerIdsByKey => _writeLookups.Value.ByKey;

    public IdSequences Sequences { get; }

    /// <summary>IPs of deleted peers that new peers may not take yet, by IP.</summary>
    public ImmutableDictionary<IPAddress, ReservedIp> ReservedIps { get; }

    /// <summary>The ACL index of this snapshot, built by the first caller and then shared.</summary>
    public NetworkView View => _view.Value;

    /// <summary>
    /// Builds a snapshot with version <paramref name="version"/> from rows in any order (as read at open). Rows equal to
    /// those of <paramref name="sharingWith"/> (a state re-read after another server's commit) keep its objects, and a
    /// table without a change keeps its array, so successive states compare by reference as after a local commit.
    /// </summary>
    public static StoreSnapshot Load(
        IEnumerable<Cidr> cidrs,
        IEnumerable<Peer> peers,
        IEnumerable<Association> associations,
        IdSequences sequences,
        IEnumerable<ReservedIp> reservedIps,
        long version,
        StoreSnapshot? sharingWith = null)
    {
        var peerList = peers.OrderBy(p => p.Id).ToImmutableArray();
        var cidrList = cidrs.OrderBy(c => c.Id).ToImmutableArray();
        var associationList = associations.OrderBy(a => a.Id).ToImmutableArray();
        if (sharingWith is not null)
        {
            peerList = Share(sharingWith.Peers, peerList, static p => p.Id);
            cidrList = Share(sharingWith.Cidrs, cidrList, static c => c.Id);
            associationList = Share(sharingWith.Associations, associationList, static a => a.Id);
        }

        // The stored sequences normally cover every id; take the maximum anyway so a damaged sequence
        // document can never make an id be handed out twice.
        var safeSequences = new IdSequences(
            Math.Max(sequences.LastCidrId, cidrList.Length == 0 ? 0 : cidrList[^1].Id),
            Math.Max(sequences.LastPeerId, peerList.Length == 0 ? 0 : peerList[^1].Id),
            Math.Max(sequences.LastAssociationId, associationList.Length == 0 ? 0 : associationList[^1].Id));

        return new StoreSnapshot(
            cidrList,
            peerList,
            associationList,
            peerList.ToImmutableDictionary(p => p.Ip, p => p.Id),
            new Lazy<WriteLookups>(() => WriteLookups.Of(peerList), LazyThreadSafetyMode.ExecutionAndPublication),
            safeSequences,
            reservedIps.ToImmutableDictionary(r => r.Ip),
            version);
    }

    public Cidr? FindCidr(long id) => FindById(Cidrs, id, static c => c.Id);

    public Peer? FindPeer(long id) => FindById(Peers, id, static p => p.Id);

    public Association? FindAssociation(long id) => FindById(Associations, id, static a => a.Id);

    public StoreSnapshot WithCidrAdded(Cidr cidr) => With(
        cidrs: Cidrs.Add(cidr),
        sequences: Sequences with { LastCidrId = cidr.Id });

    public StoreSnapshot WithCidrReplaced(Cidr cidr) => With(
        cidrs: Cidrs.SetItem(IndexOf(Cidrs, cidr.Id, static c => c.Id), cidr));

    public StoreSnapshot WithCidrRemoved(long id) => With(
        cidrs: Cidrs.RemoveAt(IndexOf(Cidrs, id, static c => c.Id)));

    public StoreSnapshot WithAssociationAdded(Association association) => With(
        associations: Associations.Add(association),
        sequences: Sequences with { LastAssociationId = association.Id });

    public StoreSnapshot WithAssociationRemoved(long id) => With(
        associations: Associations.RemoveAt(IndexOf(Associations, id, static a => a.Id)));

    public StoreSnapshot WithPeerAdded(Peer peer) => new(
        Cidrs,
        Peers.Add(peer),
        Associations,
        PeerIdsByIp.Add(peer.Ip, peer.Id),
        Computed(new WriteLookups(PeerIdsByName.Add(peer.Name, peer.Id), PeerIdsByKey.Add(peer.PublicKey, peer.Id))),
        Sequences with { LastPeerId = peer.Id },
        ReservedIps,
        Version + 1);

    /// <summary>Replaces a peer with the same id (any field but the id and ip may change).</summary>
    public StoreSnapshot WithPeerReplaced(Peer peer)
    {
        int index = IndexOf(Peers, peer.Id, static p => p.Id);
        var old = Peers[index];
        var byIp = old.Ip.Equals(peer.Ip) ? PeerIdsByIp : PeerIdsByIp.Remove(old.Ip).Add(peer.Ip, peer.Id);

        // The common change (candidates, endpoint, flags) keeps name and key: share the lookups, built or not.
        var writeLookups = old.Name == peer.Name && old.PublicKey == peer.PublicKey
            ? _writeLookups
            : Computed(new WriteLookups(
                old.Name == peer.Name ? PeerIdsByName : PeerIdsByName.Remove(old.Name).Add(peer.Name, peer.Id),
                old.PublicKey == peer.PublicKey ? PeerIdsByKey : PeerIdsByKey.Remove(old.PublicKey).Add(peer.PublicKey, peer.Id)));
        return new StoreSnapshot(Cidrs, Peers.SetItem(index, peer), Associations, byIp, writeLookups, Sequences, ReservedIps, Version + 1);
    }

    public StoreSnapshot WithPeersRemoved(IReadOnlyCollection<Peer> removed) => WithPeersRemoved(removed, ReservedIps);

    /// <summary>Without the given peers, with <paramref name="reservedIps"/> as the reserved IPs.</summary>
    public StoreSnapshot WithPeersRemoved(IReadOnlyCollection<Peer> removed, ImmutableDictionary<IPAddress, ReservedIp> reservedIps)
    {
        if (removed.Count == 0 && reservedIps == ReservedIps)
        {
            return this;
        }

        var ids = removed.Select(p => p.Id).ToHashSet();
        return new StoreSnapshot(
            Cidrs,
            Peers.RemoveAll(p => ids.Contains(p.Id)),
            Associations,
            PeerIdsByIp.RemoveRange(removed.Select(p => p.Ip)),
            Computed(new WriteLookups(
                PeerIdsByName.RemoveRange(removed.Select(p => p.Name)),
                PeerIdsByKey.RemoveRange(removed.Select(p => p.PublicKey)))),
            Sequences,
            reservedIps,
            Version + 1);
    }

    private StoreSnapshot With(
        ImmutableArray<Cidr>? cidrs = null, ImmutableArray<Association>? associations = null, IdSequences? sequences = null)
        => new(
            cidrs ?? Cidrs,
            Peers,
            associations ?? Associations,
            PeerIdsByIp,
            _writeLookups,
            sequences ?? Sequences,
            ReservedIps,
            Version + 1);

    /// <summary>
    /// <paramref name="next"/> with each row equal to one of <paramref name="previous"/> replaced by it (both in id order).
    /// </summary>
    private static ImmutableArray<T> Share<T>(ImmutableArray<T> previous, ImmutableArray<T> next, Func<T, long> idOf)
        where T : class, IEquatable<T>
    {
        var shared = new T[next.Length];
        bool unchanged = previous.Length == next.Length;
        int old = 0;
        for (int i = 0; i < next.Length; i++)
        {
            long id = idOf(next[i]);
            while (old < previous.Length && idOf(previous[old]) < id)
            {
                old++;
            }

            if (old < previous.Length && idOf(previous[old]) == id && previous[old].Equals(next[i]))
            {
                shared[i] = previous[old++];
            }
            else
            {
                shared[i] = next[i];
                unchanged = false;
            }
        }

        return unchanged ? previous : ImmutableCollectionsMarshal.AsImmutableArray(shared);
    }

    private static Lazy<WriteLookups> Computed(WriteLookups lookups) => new(lookups);

    private static T? FindById<T>(ImmutableArray<T> list, long id, Func<T, long> idOf)
        where T : class
    {
        int index = BinarySearch(list, id, idOf);
        return index >= 0 ? list[index] : null;
    }

    private static int IndexOf<T>(ImmutableArray<T> list, long id, Func<T, long> idOf)
    {
        int index = BinarySearch(list, id, idOf);
        return index >= 0 ? index : throw new InvalidOperationException($"Internal error: id {id} is not in the snapshot.");
    }

    /// <summary>Lists are kept in ascending id order (new ids are always the largest).</summary>
    private static int BinarySearch<T>(ImmutableArray<T> list, long id, Func<T, long> idOf)
    {
        int low = 0, high = list.Length - 1;
        while (low <= high)
        {
            int mid = low + ((high - low) / 2);
            long midId = idOf(list[mid]);
            if (midId == id)
            {
                return mid;
            }

            if (midId < id)
            {
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }

        return -1;
    }

    /// <summary>The unique-name and unique-key lookups; a snapshot shares them with the next when no name or key changed.</summary>
    private sealed record WriteLookups(ImmutableDictionary<string, long> ByName, ImmutableDictionary<WireGuardKey, long> ByKey)
    {
        public static WriteLookups Of(ImmutableArray<Peer> peers) => new(
            peers.ToImmutableDictionary(p => p.Name, p => p.Id, StringComparer.Ordinal),
            peers.ToImmutableDictionary(p => p.PublicKey, p => p.Id));
    }
}
