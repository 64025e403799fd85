using Innernet.Core.Model;
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
    private IReadOnlyList<Peer>? _previous;
    private IReadOnlyDictionary<long, RedeemTransition> _transitions = new Dictionary<long, RedeemTransition>();
    private readonly int _peersPerUpdate;
    private Dictionary<WireGuardKey, DesiredPeer>? _applied;

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
    /// Looks at the store and applies the difference (in updates of at most <see cref="PeersPerUpdate"/> peers): from the last state applied successfully, or,
    /// when there is none or <paramref name="readDevice"/> is true, from the device as read now.
    /// </summary>
    /// <param name="readDevice">Compare with the device even when nothing changed on our side (drift).</param>
    /// <param name="device">The device as the caller has just read it (start-up), instead of reading it again.</param>
    /// <exception cref="IOException">WireGuard could not be read or updated (or another exception of the control);
    /// the next call reads the device again.</exception>
    public ReconcileResult Reconcile(bool readDevice = false, WireGuardDevice? device = null)
    {
        var peers = _peers();
        _transitions = ServerPeerState.NextTransitions(_previous, peers, _transitions, _time.GetUtcNow(), _redeemWait);
        _previous = peers;
        var desired = ServerPeerState.Desired(peers, _serverPublicKey, _transitions);
        if (!readDevice && device is null && _applied is not null && ServerPeerState.SameDesired(desired, _applied))
        {
            return new ReconcileResult(null, null, desired.Count);
        }

        var applied = _applied;
        _applied = null;
        if (!readDevice && device is null && applied is not null)
        {
            // The device holds what was last applied (a pass that reads it heals drift): change only the difference,
            // without reading every peer back (a UAPI read of 10,000 peers costs tens of milliseconds).
            var known = ServerPeerState.Diff(desired, applied);
            if (!known.IsEmpty)
            {
                Apply(known.Config);
            }

            _applied = desired;
            return new ReconcileResult(null, known, desired.Count);
        }

        device ??= _wireGuard.GetDevice(_interface);
        if (device is null)
        {
            return new ReconcileResult(null, null, desired.Count) { DeviceMissing = true };
        }

        var diff = ServerPeerState.Diff(desired, device.Peers);
        if (!diff.IsEmpty)
        {
            Apply(diff.Config);
        }

        _applied = desired;
        return new ReconcileResult(device, diff, desired.Count);
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
