using System.Net;
using Innernet.Core.Model;
using Innernet.Core.Persistence;
using Innernet.Core.Sync;
using Innernet.Netlink.WireGuard;

namespace Innernet.Server.Serve;

/// <summary>One peer as it belongs on the server's WireGuard interface: key, overlay IP, and the endpoint set when it is added.</summary>
internal readonly record struct DesiredPeer(WireGuardKey PublicKey, IPAddress Ip, IPEndPoint? Endpoint);

/// <summary>The update <see cref="ServerPeerState.Diff"/> computed, with what it does.</summary>
/// <param name="Config">The one update (no device-wide settings, never replace-peers).</param>
/// <param name="Added">Peers it puts on the device.</param>
/// <param name="Removed">Keys it takes off the device.</param>
/// <param name="Corrected">Peers whose allowed IPs or keepalive it sets back.</param>
internal sealed record DeviceDiff(DeviceConfig Config, int Added, IReadOnlyList<WireGuardKey> Removed, int Corrected)
{
    public bool IsEmpty => Config.Peers.Count == 0;

    /// <summary>"2 added, 1 removed, 0 corrected" for the log.</summary>
    public string Summary => $"{Added} added, {Removed.Count} removed, {Corrected} corrected";
}

/// <summary>
/// A redeemed invitation (or a rotated key) whose temporary (old) key stays on WireGuard until <see cref="Deadline"/>,
/// so the reply to the redeem (rotate-key) request still leaves through the tunnel it came in by; then the permanent
/// (new) key takes its place.
/// </summary>
internal sealed record RedeemTransition(long PeerId, WireGuardKey TemporaryKey, WireGuardKey PermanentKey, DateTimeOffset Deadline);

/// <summary>
/// The rule "who belongs on the server's WireGuard", pure: enabled peers (unredeemed invitations included, or
/// nobody could redeem) with their /32 or /128, never the server's own key; a peer inside its redeem transition
/// under its temporary key. And the difference between that and a device, as one update.
/// </summary>
internal static class ServerPeerState
{
    /// <summary>
    /// The transitions pending after this look at the store: a peer seen unredeemed before and redeemed now (with
    /// another key), or redeemed before and rotated now (its last key rotation step leads from the key seen before to
    /// its key now), starts one ending at <paramref name="now"/> + <paramref name="wait"/>; one ends at its deadline,
    /// or at once when its peer is gone, disabled or has a key other than the permanent one (superseded).
    /// </summary>
    /// <param name="previous">The peers of the last look (null at the first: nothing is known to be in transition).</param>
    public static IReadOnlyDictionary<long, RedeemTransition> NextTransitions(
        IReadOnlyList<Peer>? previous,
        IReadOnlyList<Peer> current,
        IReadOnlyDictionary<long, RedeemTransition> pending,
        DateTimeOffset now,
        TimeSpan wait)
    {
        ArgumentNullException.ThrowIfNull(current);
        return NextTransitions(previous is null ? [] : PeerRowChanges.Between(previous, current), Finder(current), pending, now, wait);
    }

    /// <summary>
    /// As <see cref="NextTransitions(IReadOnlyList{Peer}?, IReadOnlyList{Peer}, IReadOnlyDictionary{long, RedeemTransition},
    /// DateTimeOffset, TimeSpan)"/>,
    /// from the rows that changed since the last look and a lookup of the current peers by id: a pass costs what changed
    /// (and the pending transitions), not the whole network.
    /// </summary>
    public static IReadOnlyDictionary<long, RedeemTransition> NextTransitions(
        IReadOnlyList<PeerRowChange> changes,
        Func<long, Peer?> find,
        IReadOnlyDictionary<long, RedeemTransition> pending,
        DateTimeOffset now,
        TimeSpan wait)
    {
        ArgumentNullException.ThrowIfNull(changes);
        ArgumentNullException.ThrowIfNull(find);
        ArgumentNullException.ThrowIfNull(pending);
        var next = new Dictionary<long, RedeemTransition>();
        foreach (var transition in pending.Values)
        {
            if (transition.Deadline > now
                && find(transition.PeerId) is { IsDisabled: false } peer
                && peer.PublicKey == transition.PermanentKey)
            {
                next[transition.PeerId] = transition;
            }
        }

        foreach (var (_, before, after) in changes)
        {
            if (before is not null
                && after is { IsRedeemed: true, IsDisabled: false }
                && after.PublicKey != before.PublicKey
                && (!before.IsRedeemed || IsRotation(before, after)))
            {
                next[after.Id] = new RedeemTransition(after.Id, before.PublicKey, after.PublicKey, now + wait);
            }
        }

        return next;
    }

    /// <summary>
    /// A lookup of <paramref name="peers"/> by id: a binary search when they are in id order (the store's), else a dictionary.
    /// </summary>
    public static Func<long, Peer?> Finder(IReadOnlyList<Peer> peers)
    {
        ArgumentNullException.ThrowIfNull(peers);
        if (!PeerRowChanges.InIdOrder(peers))
        {
            var byId = peers.ToDictionary(p => p.Id);
            return id => byId.GetValueOrDefault(id);
        }

        return id =>
        {
            int low = 0, high = peers.Count - 1;
            while (low <= high)
            {
                int middle = low + ((high - low) / 2);
                long at = peers[middle].Id;
                if (at == id)
                {
                    return peers[middle];
                }

                (low, high) = at < id ? (middle + 1, high) : (low, middle - 1);
            }

            return null;
        };
    }

    // A rotation keeps the old key on WireGuard for the transition too: the 204 to the rotate-key request leaves
    // through the tunnel the request came in by, and the client switches to its new key only after reading it.
    private static bool IsRotation(Peer before, Peer after)
        => after.KeyRotations.Count > 0
            && after.KeyRotations[^1] is var step
            && step.OldPublicKey == before.PublicKey
            && step.PublicKey == after.PublicKey;

    /// <summary>The peers that belong on the server's interface, by public key.</summary>
    public static Dictionary<WireGuardKey, DesiredPeer> Desired(
        IReadOnlyList<Peer> peers, WireGuardKey serverPublicKey, IReadOnlyDictionary<long, RedeemTransition> transitions)
    {
        ArgumentNullException.ThrowIfNull(peers);
        ArgumentNullException.ThrowIfNull(transitions);
        var desired = new Dictionary<WireGuardKey, DesiredPeer>(peers.Count);
        foreach (var peer in peers)
        {
            if (DesiredOf(peer, serverPublicKey, transitions) is { } entry)
            {
                desired[entry.PublicKey] = entry;
            }
        }

        return desired;
    }

    /// <summary>
    /// How <paramref name="peer"/> belongs on the server's interface, or null when it does not (disabled, or the server's key).
    /// </summary>
    public static DesiredPeer? DesiredOf(Peer peer, WireGuardKey serverPublicKey, IReadOnlyDictionary<long, RedeemTransition> transitions)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentNullException.ThrowIfNull(transitions);
        if (peer.IsDisabled)
        {
            return null;
        }

        var key = transitions.TryGetValue(peer.Id, out var transition) ? transition.TemporaryKey : peer.PublicKey;
        return key == serverPublicKey ? null : new DesiredPeer(key, peer.Ip, peer.Endpoint?.TryGetIPEndPoint());
    }

    /// <summary>
    /// One update turning <paramref name="device"/>'s peers into <paramref name="desired"/>: removals first (so a
    /// reused IP is free before its new owner arrives), then additions (allowed IP, keepalive 25, endpoint), then
    /// corrections of peers whose allowed IPs or keepalive drifted. Sessions and endpoints of peers that stay are
    /// never touched; nothing device-wide is set.
    /// </summary>
    public static DeviceDiff Diff(IReadOnlyDictionary<WireGuardKey, DesiredPeer> desired, IReadOnlyList<WireGuardPeer> device)
    {
        ArgumentNullException.ThrowIfNull(device);
        var present = new Dictionary<WireGuardKey, WireGuardPeer>(device.Count);
        foreach (var peer in device)
        {
            present[peer.PublicKey] = peer;
        }

        return Build(desired, present.Keys, peer => !present.TryGetValue(peer.PublicKey, out var current)
            ? Presence.Missing
            : current.PersistentKeepaliveInterval != NetworkDefaults.PersistentKeepaliveSeconds
                || current.AllowedIPs.Count != 1
                || current.AllowedIPs[0] != PeerDiff.HostNetwork(peer.Ip)
                ? Presence.Drifted
                : Presence.Right);
    }

    /// <summary>
    /// The update that turns a device known to hold exactly <paramref name="applied"/> (the last desired state applied
    /// successfully) into <paramref name="desired"/>, without reading it: the same entries, in the same order of kinds, as
    /// <see cref="Diff(IReadOnlyDictionary{WireGuardKey, DesiredPeer}, IReadOnlyList{WireGuardPeer})"/> would give for
    /// that device. A peer whose endpoint alone changed gets nothing (WireGuard follows the peer's roaming).
    /// </summary>
    public static DeviceDiff Diff(
        IReadOnlyDictionary<WireGuardKey, DesiredPeer> desired, IReadOnlyDictionary<WireGuardKey, DesiredPeer> applied)
    {
        ArgumentNullException.ThrowIfNull(applied);
        return Build(desired, applied.Keys, peer => !applied.TryGetValue(peer.PublicKey, out var current)
            ? Presence.Missing
            : current.Ip.Equals(peer.Ip) ? Presence.Right : Presence.Drifted);
    }

    /// <summary>How a desired peer stands on the device compared with.</summary>
    private enum Presence
    {
        Missing,
        Right,
        Drifted,
    }

    /// <summary>Removals of the <paramref name="present"/> keys not desired, then additions, then corrections.</summary>
    private static DeviceDiff Build(
        IReadOnlyDictionary<WireGuardKey, DesiredPeer> desired, IEnumerable<WireGuardKey> present, Func<DesiredPeer, Presence> look)
    {
        ArgumentNullException.ThrowIfNull(desired);
        var config = new DeviceConfig();
        var removed = new List<WireGuardKey>();
        foreach (var key in present)
        {
            if (!desired.ContainsKey(key))
            {
                config.Peers.Add(new PeerConfig { PublicKey = key, Remove = true });
                removed.Add(key);
            }
        }

        var corrections = new List<PeerConfig>();
        foreach (var peer in desired.Values)
        {
            var presence = look(peer);
            if (presence == Presence.Missing)
            {
                config.Peers.Add(Entry(peer.PublicKey, PeerDiff.HostNetwork(peer.Ip), peer.Endpoint));
            }
            else if (presence == Presence.Drifted)
            {
                corrections.Add(Entry(peer.PublicKey, PeerDiff.HostNetwork(peer.Ip), endpoint: null));
            }
        }

        int added = config.Peers.Count - removed.Count;
        foreach (var correction in corrections)
        {
            config.Peers.Add(correction);
        }

        return new DeviceDiff(config, added, removed, corrections.Count);
    }

    private static PeerConfig Entry(WireGuardKey key, IPNetwork allowed, IPEndPoint? endpoint) => new()
    {
        PublicKey = key,
        Endpoint = endpoint,
        PersistentKeepaliveInterval = NetworkDefaults.PersistentKeepaliveSeconds,
        ReplaceAllowedIPs = true,
        AllowedIPs = { allowed },
    };
}
