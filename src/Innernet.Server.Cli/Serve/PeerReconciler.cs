using Innernet.Core.Model;
using Innernet.Core.Persistence;
using Innernet.Netlink.WireGuard;

namespace Innernet.Server.Serve;

/// <summary>What one <see cref="PeerReconciler.Reconcile"/> did.</summary>
/// <param name="Device">The device as read before the update; null when it was not read or does not exist.</param>
/// <param name="Diff">The update applied; null when the device was not compared.</param>
/// <param name="DesiredCount">How many peers belong on the interface now.</param>
internal sealed record ReconcileResult(WireGuardDevice? Device, DeviceDiff? Diff, int DesiredCount)
{
    /// <summary>The device was read and does not exist: nothing was applied.</summary>
    public bool DeviceMissing { get; init; }
}

/// <summary>
/// Makes the server's WireGuard interface hold what <see cref="ServerPeerState"/> says it should: reads the
/// store's peers, tracks redeem transitions between looks, and applies only the difference to the device. After a
/// successful update the device is taken to hold what was applied, so a later change is applied as the difference
/// from that without reading the device back; it is read when nothing was applied yet, when the last try failed, or
/// when the caller asks (the periodic pass that heals drift made behind the server's back).
/// </summary>
/// <remarks>
/// A pass costs what changed, not the network: the desired state is kept between passes and only the peers whose row
/// changed (<see cref="PeerRowChanges"/>, a walk comparing references) or whose transition started or ended
/// are looked at again. At 10,000 peers, rebuilding it in every pass was most of the server's CPU per admin write.
/// </remarks>
/// <remarks>Not thread-safe (neither is the <see cref="WireGuardClient"/>); callers serialize.</remarks>
internal sealed class PeerReconciler
{
    /// <summary>
    /// Peers per device update. The first pass on a new interface brings every peer at once; on wireguard-go that is
    /// one UAPI operation, which on a loaded machine can outlast the library's per-operation timeout (10,000 peers
    /// took over 30 s at load 18). Bounded updates keep each operation short; a pass cut off half-way is healed by the
    /// next one (it reads the device again).
    /// </summary>
    public const int PeersPerUpdate = 1000;

    private readonly WireGuardClient _wireGuard;
    private readonly string _interface;
    private readonly WireGuardKey _serverPublicKey;
    private readonly Func<IReadOnlyList<Peer>> _peers;
    private readonly TimeProvider _time;
    private readonly TimeSpan _redeemWait;
    private readonly int _peersPerUpdate;
    private IReadOnlyList<Peer>? _previous;
    private IReadOnlyDictionary<long, RedeemTransition> _transitions = new Dictionary<long, RedeemTransition>();

    /// <summary>What belongs on the device as of the last look (null before the first).</summary>
    private Dictionary<WireGuardKey, DesiredPeer>? _desired;

    /// <summary>The key under which each peer id is in <see cref="_desired"/>.</summary>
    private readonly Dictionary<long, WireGuardKey> _keyOf = [];

    /// <summary>The peer id each key of <see cref="_desired"/> belongs to.</summary>
    private readonly Dictionary<WireGuardKey, long> _ownerOf = [];

    /// <summary>The last update succeeded: the device holds <see cref="_desired"/> (but for drift, healed by reading passes).</summary>
    private bool _deviceHoldsDesired;

    public PeerReconciler(
        WireGuardClient wireGuard,
        string iface,
        WireGuardKey serverPublicKey,
        Func<IReadOnlyList<Peer>> peers,
        TimeProvider time,
        TimeSpan redeemWait,
        int peersPerUpdate = PeersPerUpdate)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(peersPerUpdate, 1);
        _peersPerUpdate = peersPerUpdate;
        _wireGuard = wireGuard;
        _interface = iface;
        _serverPublicKey = serverPublicKey;
        _peers = peers;
        _time = time;
        _redeemWait = redeemWait;
    }

    /// <summary>When the earliest pending redeem transition ends (the next reconcile must not be later), or null.</summary>
    public DateTimeOffset? NextDeadline => _transitions.Count == 0 ? null : _transitions.Values.Min(t => t.Deadline);

    /// <summary>The transitions pending after the last reconcile.</summary>
    public IReadOnlyDictionary<long, RedeemTransition> Transitions => _transitions;

    /// <summary>
    /// Looks at the store and applies the difference (in updates of at most <see cref="PeersPerUpdate"/> peers): from the
    /// last state applied successfully, or, when there is none or <paramref name="readDevice"/> is true, from the device
    /// as read now.
    /// </summary>
    /// <param name="readDevice">Compare with the device even when nothing changed on our side (drift).</param>
    /// <param name="device">The device as the caller has just read it (start-up), instead of reading it again.</param>
    /// <exception cref="IOException">WireGuard could not be read or updated (or another exception of the control);
    /// the next call reads the device again.</exception>
    public ReconcileResult Reconcile(bool readDevice = false, WireGuardDevice? device = null)
    {
        var peers = _peers();
        var find = ServerPeerState.Finder(peers);
        var changes = _previous is null ? [] : PeerRowChanges.Between(_previous, peers);
        var pending = _transitions;
        _transitions = ServerPeerState.NextTransitions(changes, find, pending, _time.GetUtcNow(), _redeemWait);
        _previous = peers;

        // Before and after of the entries this look touched: a changed row, a transition started or ended.
        var before = new Dictionary<WireGuardKey, DesiredPeer>();
        var after = new Dictionary<WireGuardKey, DesiredPeer>();
        if (_desired is null)
        {
            _desired = [];
            foreach (var peer in peers)
            {
                Put(peer, after);
            }
        }
        else
        {
            var touched = changes.Select(c => c.Id).ToHashSet();
            touched.UnionWith(pending.Keys.Where(id => !_transitions.ContainsKey(id)));
            touched.UnionWith(_transitions.Keys.Where(id => !pending.TryGetValue(id, out var was) || was != _transitions[id]));
            foreach (long id in touched)
            {
                Take(id, before);
            }

            foreach (long id in touched)
            {
                if (find(id) is { } peer)
                {
                    Put(peer, after);
                }
            }
        }

        if (!readDevice && device is null && _deviceHoldsDesired)
        {
            // The device holds what was last applied (a pass that reads it heals drift): change only the difference,
            // without reading every peer back (a UAPI read of 10,000 peers costs tens of milliseconds).
            var known = ServerPeerState.Diff(after, before);
            if (known.IsEmpty)
            {
                return new ReconcileResult(null, null, _desired.Count);
            }

            _deviceHoldsDesired = false;
            Apply(known.Config);
            _deviceHoldsDesired = true;
            return new ReconcileResult(null, known, _desired.Count);
        }

        _deviceHoldsDesired = false;
        device ??= _wireGuard.GetDevice(_interface);
        if (device is null)
        {
            return new ReconcileResult(null, null, _desired.Count) { DeviceMissing = true };
        }

        var diff = ServerPeerState.Diff(_desired, device.Peers);
        if (!diff.IsEmpty)
        {
            Apply(diff.Config);
        }

        _deviceHoldsDesired = true;
        return new ReconcileResult(device, diff, _desired.Count);
    }

    /// <summary>Takes peer <paramref name="id"/>'s entry out of the desired state, noting it in <paramref name="before"/>.</summary>
    private void Take(long id, Dictionary<WireGuardKey, DesiredPeer> before)
    {
        if (!_keyOf.Remove(id, out var key) || !_ownerOf.TryGetValue(key, out long owner) || owner != id)
        {
            return;
        }

        before[key] = _desired![key];
        _desired.Remove(key);
        _ownerOf.Remove(key);
    }

    /// <summary>Puts <paramref name="peer"/>'s entry (if it belongs) into the desired state and <paramref name="after"/>.</summary>
    private void Put(Peer peer, Dictionary<WireGuardKey, DesiredPeer> after)
    {
        if (ServerPeerState.DesiredOf(peer, _serverPublicKey, _transitions) is not { } entry)
        {
            return;
        }

        // Two rows under one key (a key reused while its old owner is still on the device in transition): the row put
        // last holds the key; the other is looked at again when it changes.
        if (_ownerOf.TryGetValue(entry.PublicKey, out long other) && other != peer.Id)
        {
            _keyOf.Remove(other);
        }

        _desired![entry.PublicKey] = entry;
        _keyOf[peer.Id] = entry.PublicKey;
        _ownerOf[entry.PublicKey] = peer.Id;
        after[entry.PublicKey] = entry;
    }

    /// <summary>Applies <paramref name="config"/> (peer entries only) in bounded updates, in order.</summary>
    private void Apply(DeviceConfig config)
    {
        foreach (var chunk in config.Peers.Chunk(_peersPerUpdate))
        {
            _wireGuard.ConfigureDevice(_interface, new DeviceConfig { Peers = chunk });
        }
    }
}
