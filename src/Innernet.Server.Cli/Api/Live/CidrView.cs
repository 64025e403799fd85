using System.Buffers;
using System.Collections.Immutable;
using System.Text.Json;
using Innernet.Core.Contracts;
using Innernet.Core.Model;
using Innernet.Core.Persistence;

namespace Innernet.Server.Api.Live;

/// <summary>
/// The live view of one viewer CIDR (every peer of a CIDR sees the same state): the peers it sees as served
/// (observed endpoints injected, exactly as <c>GET /v1/user/state</c>), the CIDRs, and a bounded history of the
/// differences it published, so a stream that is behind gets one difference covering everything since, and one
/// that is too far behind a full view. Each message is serialized once and shared by every stream of the CIDR.
/// </summary>
/// <remarks>Not thread-safe: the <see cref="StateFeed"/> calls it under its lock.</remarks>
internal sealed class CidrView
{
    /// <summary>Differences kept for resuming; a stream further behind gets a full view.</summary>
    public const int MaxHistory = 64;

    private static readonly byte[] NewLine = "\n"u8.ToArray();

    private readonly string _epoch;
    private readonly Queue<HistoryEntry> _history = new();
    private ViewEntry[] _entries;
    private ImmutableArray<Cidr> _cidrs;
    private IReadOnlySet<long> _visibleCidrs;
    private long _resumableFrom;
    private HistoryEntry? _latest;
    private byte[]? _lastDifference;
    private volatile Publication _published;
    private byte[]? _full;

    public CidrView(long cidrId, CommittedState state, IPeerSync sync, long sequence, string epoch)
    {
        CidrId = cidrId;
        _epoch = epoch;
        Sequence = sequence;
        _resumableFrom = sequence;
        _entries = state.View.GetVisiblePeersFromCidr(cidrId).Select(p => new ViewEntry(p, EndpointInjection.Serve(p, sync))).ToArray();
        _cidrs = state.Cidrs;
        _visibleCidrs = state.View.GetVisibleCidrIds(cidrId);
        _published = new Publication(sequence, Previous: -1, Difference: null);
    }

    public long CidrId { get; }

    /// <summary>The feed sequence of the view's current content.</summary>
    public long Sequence { get; private set; }

    /// <summary>The streams following this view.</summary>
    public HashSet<StreamSubscription> Subscribers { get; } = [];

    /// <summary>When the last stream left (the view is dropped after a while); null while streams follow it.</summary>
    public DateTimeOffset? IdleSince { get; set; }

    /// <summary>Peers this view holds (tests, diagnostics).</summary>
    public int PeerCount => _entries.Length;

    /// <summary>True when a change to a peer of CIDR <paramref name="cidrId"/> may change this view.</summary>
    public bool Sees(long cidrId) => _visibleCidrs.Contains(cidrId);

    /// <summary>True when a client holding <paramref name="sequence"/> can be brought up to date with a difference (or nothing).</summary>
    public bool CanContinueFrom(long sequence) => sequence >= _resumableFrom && sequence <= Sequence;

    /// <summary>
    /// Brings the view to <paramref name="state"/>; when what it serves changed, records one difference as
    /// <paramref name="sequence"/> and returns true.
    /// </summary>
    /// <param name="reserveAll">Serve every peer again (observed endpoints may have changed), not only changed records.</param>
    /// <param name="structureChanged">CIDRs or associations changed: the visible CIDRs are computed again.</param>
    public bool Update(CommittedState state, IPeerSync sync, bool reserveAll, bool structureChanged, long sequence)
    {
        if (structureChanged)
        {
            _visibleCidrs = state.View.GetVisibleCidrIds(CidrId);
        }

        var visible = state.View.GetVisiblePeersFromCidr(CidrId);
        var next = new ViewEntry[visible.Count];
        var changed = new List<Peer>();
        var removed = new List<long>();
        int old = 0;
        for (int i = 0; i < visible.Count; i++)
        {
            var peer = visible[i];
            while (old < _entries.Length && _entries[old].Stored.Id < peer.Id)
            {
                removed.Add(_entries[old++].Stored.Id);
            }

            ViewEntry? previous = old < _entries.Length && _entries[old].Stored.Id == peer.Id ? _entries[old++] : null;
            if (previous is { } kept && !reserveAll && ReferenceEquals(kept.Stored, peer))
            {
                next[i] = kept;
                continue;
            }

            var served = EndpointInjection.Serve(peer, sync);
            if (previous is { } same && same.Served.Equals(served))
            {
                next[i] = same with { Stored = peer };
                continue;
            }

            next[i] = new ViewEntry(peer, served);
            changed.Add(served);
        }

        while (old < _entries.Length)
        {
            removed.Add(_entries[old++].Stored.Id);
        }

        bool cidrsChanged = _cidrs != state.Cidrs && !_cidrs.SequenceEqual(state.Cidrs);
        _entries = next;
        _cidrs = state.Cidrs;
        if (changed.Count == 0 && removed.Count == 0 && !cidrsChanged)
        {
            return false;
        }

        var entry = new HistoryEntry(sequence, Sequence, [.. changed.Select(p => p.Id)], [.. removed], cidrsChanged);
        _lastDifference = Serialize(new StateUpdate(
            Token(sequence), Token(Sequence), Full: false, changed, removed, cidrsChanged ? _cidrs : null));
        _full = null;
        Sequence = sequence;
        _history.Enqueue(entry);
        _latest = entry;
        _published = new Publication(sequence, entry.Previous, _lastDifference);
        if (_history.Count > MaxHistory)
        {
            _resumableFrom = _history.Dequeue().Sequence;
        }

        return true;
    }

    /// <summary>
    /// What <paramref name="subscription"/> must be sent to be up to date, or null when it is; afterwards it counts
    /// as holding <see cref="Sequence"/>.
    /// </summary>
    public byte[]? Next(StreamSubscription subscription)
    {
        long sent = subscription.Sent;
        if (sent == Sequence)
        {
            return null;
        }

        byte[] message = sent >= 0 && CanContinueFrom(sent)
            ? _latest is { } latest && sent == latest.Previous ? _lastDifference! : Difference(sent)
            : Full();
        subscription.Sent = Sequence;
        return message;
    }

    /// <summary>
    /// <see cref="Next"/> for a stream that is up to date or exactly one difference behind, from the latest
    /// publication alone: safe without the feed's lock (the publication is immutable). False: take the lock.
    /// </summary>
    public bool TryNextWithoutLock(StreamSubscription subscription, out byte[]? message)
    {
        var latest = _published;
        long sent = subscription.Sent;
        message = null;
        if (sent == latest.Sequence)
        {
            return true;
        }

        if (latest.Difference is null || sent != latest.Previous)
        {
            return false;
        }

        message = latest.Difference;
        subscription.Sent = latest.Sequence;
        return true;
    }

    /// <summary>The full view (the same peers and CIDRs as <c>GET /v1/user/state</c>), built once per sequence.</summary>
    public byte[] Full()
        => _full ??= Serialize(new StateUpdate(
            Token(Sequence), Since: null, Full: true, _entries.Select(e => e.Served).ToList(), [], _cidrs));

    private string Token(long sequence) => ResumeToken.Format(_epoch, sequence);

    /// <summary>One difference from <paramref name="since"/> (within the history) to now, from the current content.</summary>
    private byte[] Difference(long since)
    {
        var touched = new HashSet<long>();
        bool cidrsChanged = false;
        foreach (var entry in _history.Where(e => e.Sequence > since))
        {
            touched.UnionWith(entry.Changed);
            touched.UnionWith(entry.Removed);
            cidrsChanged |= entry.CidrsChanged;
        }

        var peers = new List<Peer>();
        var removed = new List<long>();
        foreach (long id in touched.Order())
        {
            if (Find(id) is { } served)
            {
                peers.Add(served);
            }
            else
            {
                removed.Add(id);
            }
        }

        return Serialize(new StateUpdate(Token(Sequence), Token(since), Full: false, peers, removed, cidrsChanged ? _cidrs : null));
    }

    private Peer? Find(long id)
    {
        int low = 0;
        int high = _entries.Length - 1;
        while (low <= high)
        {
            int middle = low + ((high - low) / 2);
            long at = _entries[middle].Stored.Id;
            if (at == id)
            {
                return _entries[middle].Served;
            }

            if (at < id)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return null;
    }

    /// <summary>One NDJSON line: the message and its <c>\n</c>.</summary>
    private static byte[] Serialize(StateUpdate update)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            JsonSerializer.Serialize(writer, update, InnernetJson.TypeInfo<StateUpdate>());
        }

        buffer.Write(NewLine);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A peer of the view as stored (compared by reference) and as served (compared by value).</summary>
    private readonly record struct ViewEntry(Peer Stored, Peer Served);

    /// <summary>The view's latest sequence and the difference that led to it (null before the first), read without a lock.</summary>
    private sealed record Publication(long Sequence, long Previous, byte[]? Difference);

    /// <summary>One published difference: which peers it touched, by id (the records are read from the view).</summary>
    private sealed record HistoryEntry(long Sequence, long Previous, long[] Changed, long[] Removed, bool CidrsChanged);
}
