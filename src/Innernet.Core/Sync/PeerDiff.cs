using Innernet.Core.Model;
using Innernet.Netlink.Route;
using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Sync;

/// <summary>
/// Turns the server's peer list into one WireGuard update (innernet's <c>PeerDiff</c>):
/// disabled peers and our own key are skipped; device peers the server no longer lists are removed; allowed
/// IPs become exactly ip/32 or ip/128; keepalive follows the server (0 when null); the endpoint is only
/// replaced when the peer has not completed a handshake in the last 180 s. Pure: DNS is the caller's
/// <c>resolve</c> function. Check the pins (<c>DataStore.CheckPins</c>) BEFORE applying <see cref="Config"/>.
/// </summary>
public sealed class PeerDiff
{
    /// <summary>A peer whose last handshake is at most this old keeps its working endpoint (REJECT_AFTER_TIME).</summary>
    public static readonly TimeSpan RecentlyConnected = TimeSpan.FromSeconds(180);

    private PeerDiff(DeviceConfig config, IReadOnlyList<DevicePeerChange> changes, IReadOnlyList<Peer> natTraversalPeers)
    {
        Config = config;
        Changes = changes;
        NatTraversalPeers = natTraversalPeers;
    }

    /// <summary>The update to apply in one call (only peer changes; nothing else is touched).</summary>
    public DeviceConfig Config { get; }

    /// <summary>Every added, modified (including NAT-reattempt-only) and removed peer, for printing.</summary>
    public IReadOnlyList<DevicePeerChange> Changes { get; }

    /// <summary>
    /// Added or modified peers that are not recently connected and have candidates or an endpoint to try:
    /// the input of NAT traversal.
    /// </summary>
    public IReadOnlyList<Peer> NatTraversalPeers { get; }

    /// <summary>True when <see cref="Config"/> changes at least one peer.</summary>
    public bool HasUpdates => Config.Peers.Count > 0;

    /// <summary>Computes the diff.</summary>
    /// <param name="serverPeers">The server's peers (local endpoint overrides already applied).</param>
    /// <param name="device">The device as it is now, or null when it does not exist yet.</param>
    /// <param name="ownPublicKey">This interface's public key (never added as a peer).</param>
    /// <param name="now">The current time, for the handshake age.</param>
    /// <param name="resolve">Turns an endpoint into a socket address (e.g. DNS, first address); null when it
    /// cannot. Defaults to IP literals only, without DNS.</param>
    /// <param name="knownPeers">Peers to name removed device peers by (e.g. the cache).</param>
    public static PeerDiff Compute(
        IReadOnlyCollection<Peer> serverPeers,
        WireGuardDevice? device,
        WireGuardKey ownPublicKey,
        DateTimeOffset now,
        Func<Endpoint, IPEndPoint?>? resolve = null,
        IEnumerable<Peer>? knownPeers = null)
    {
        ArgumentNullException.ThrowIfNull(serverPeers);
        resolve ??= static e => e.TryGetIPEndPoint();

        var devicePeers = device?.Peers ?? [];
        var existing = new Dictionary<WireGuardKey, WireGuardPeer>(devicePeers.Count);
        foreach (var peer in devicePeers)
        {
            existing.TryAdd(peer.PublicKey, peer);
        }

        var config = new DeviceConfig();
        var changes = new List<DevicePeerChange>();
        var nat = new List<Peer>();
        var listed = new HashSet<WireGuardKey>(serverPeers.Count);

        foreach (var peer in serverPeers)
        {
            listed.Add(peer.PublicKey);
            if (peer.IsDisabled || peer.PublicKey == ownPublicKey)
            {
                continue;
            }

            existing.TryGetValue(peer.PublicKey, out var old);
            Add(peer, old, now, resolve, config, changes, nat);
        }

        // The names of removed peers, looked up only when a device peer is to be removed.
        Dictionary<WireGuardKey, string>? names = null;
        foreach (var old in devicePeers)
        {
            if (!listed.Contains(old.PublicKey))
            {
                names ??= NamesByKey(knownPeers);
                config.Peers.Add(new PeerConfig { PublicKey = old.PublicKey, Remove = true });
                changes.Add(new DevicePeerChange(
                    DevicePeerChangeKind.Removed,
                    old.PublicKey,
                    names.GetValueOrDefault(old.PublicKey),
                    [],
                    EndpointChanged: false,
                    NatReattemptOnly: false));
            }
        }

        return new PeerDiff(config, changes, nat);
    }

    private static Dictionary<WireGuardKey, string> NamesByKey(IEnumerable<Peer>? knownPeers)
    {
        var names = new Dictionary<WireGuardKey, string>();
        foreach (var known in knownPeers ?? [])
        {
            names.TryAdd(known.PublicKey, known.Name);
        }

        return names;
    }

    /// <summary>
    /// The update for a difference of the server's view: only <paramref name="changedPeers"/> (each compared with
    /// its device peer, looked up by key) and the <paramref name="removedKeys"/>, so the cost is O(change), not
    /// O(network). The same per-peer rules as <see cref="Compute"/>; removals come first in <see cref="Config"/>.
    /// </summary>
    /// <param name="changedPeers">Added or changed server peers (local endpoint overrides applied).</param>
    /// <param name="removedKeys">Keys of peers that left the view (with their names, for printing).</param>
    /// <param name="devicePeer">The device's peer with a key, or null (e.g. from a held copy of the device).</param>
    /// <param name="ownPublicKey">This interface's public key (never added, never removed).</param>
    /// <param name="now">The current time, for the handshake age.</param>
    /// <param name="resolve">Endpoint to socket address; defaults to IP literals only.</param>
    public static PeerDiff ComputeChange(
        IReadOnlyCollection<Peer> changedPeers,
        IReadOnlyCollection<(WireGuardKey Key, string? Name)> removedKeys,
        Func<WireGuardKey, WireGuardPeer?> devicePeer,
        WireGuardKey ownPublicKey,
        DateTimeOffset now,
        Func<Endpoint, IPEndPoint?>? resolve = null)
    {
        ArgumentNullException.ThrowIfNull(changedPeers);
        ArgumentNullException.ThrowIfNull(removedKeys);
        ArgumentNullException.ThrowIfNull(devicePeer);
        resolve ??= static e => e.TryGetIPEndPoint();
        var config = new DeviceConfig();
        var changes = new List<DevicePeerChange>();
        var nat = new List<Peer>();
        foreach (var (key, name) in removedKeys)
        {
            if (key != ownPublicKey && devicePeer(key) is not null)
            {
                config.Peers.Add(new PeerConfig { PublicKey = key, Remove = true });
                changes.Add(new DevicePeerChange(
                    DevicePeerChangeKind.Removed, key, name, [], EndpointChanged: false, NatReattemptOnly: false));
            }
        }

        foreach (var peer in changedPeers)
        {
            if (peer.PublicKey == ownPublicKey)
            {
                continue;
            }

            if (peer.IsDisabled)
            {
                if (devicePeer(peer.PublicKey) is not null)
                {
                    config.Peers.Add(new PeerConfig { PublicKey = peer.PublicKey, Remove = true });
                    changes.Add(new DevicePeerChange(
                        DevicePeerChangeKind.Removed, peer.PublicKey, peer.Name, [], EndpointChanged: false, NatReattemptOnly: false));
                }

                continue;
            }

            Add(peer, devicePeer(peer.PublicKey), now, resolve, config, changes, nat);
        }

        return new PeerDiff(config, changes, nat);
    }

    /// <summary>True when the last handshake is known and at most 180 s old.</summary>
    public static bool IsRecentlyConnected(WireGuardPeer? peer, DateTimeOffset now)
        => peer?.LastHandshake is { } last && last > DateTimeOffset.UnixEpoch && now - last <= RecentlyConnected;

    /// <summary>
    /// A single address as a network, /32 for IPv4 and /128 for IPv6: the only allowed IP a peer may have (its overlay IP,
    /// on the server and on clients), the server's allowed IP on a client and the infra CIDR of a new network.
    /// </summary>
    public static IPNetwork HostNetwork(IPAddress ip)
    {
        ArgumentNullException.ThrowIfNull(ip);
        return new IPNetwork(ip, InterfaceAddress.MaxPrefix(ip));
    }

    /// <summary>Adds one server peer's update, change and NAT need (if any) to the lists of a diff.</summary>
    private static void Add(
        Peer peer,
        WireGuardPeer? old,
        DateTimeOffset now,
        Func<Endpoint, IPEndPoint?> resolve,
        DeviceConfig config,
        List<DevicePeerChange> changes,
        List<Peer> nat)
    {
        var (peerConfig, change, needsNat) = Diff(peer, old, now, resolve);
        if (peerConfig is not null)
        {
            config.Peers.Add(peerConfig);
        }

        if (change is not null)
        {
            changes.Add(change);
        }

        if (needsNat)
        {
            nat.Add(peer);
        }
    }

    /// <summary>
    /// One peer's update, change and NAT need. Each setting is compared first and the update and its details are only
    /// built for a peer that differs: at thousands of peers most are unchanged on every fetch.
    /// </summary>
    private static (PeerConfig? Config, DevicePeerChange? Change, bool NeedsNat) Diff(
        Peer peer, WireGuardPeer? old, DateTimeOffset now, Func<Endpoint, IPEndPoint?> resolve)
    {
        var allowed = HostNetwork(peer.Ip);
        bool allowedChanged = old is null || old.AllowedIPs.Count != 1 || old.AllowedIPs[0] != allowed;
        ushort keepalive = peer.PersistentKeepaliveInterval ?? 0;
        bool keepaliveChanged = old is null || old.PersistentKeepaliveInterval != keepalive;

        IPEndPoint? newEndpoint = null;
        bool reattempt = false;
        bool recentlyConnected = IsRecentlyConnected(old, now);
        if (!recentlyConnected)
        {
            var resolved = peer.Endpoint is { } endpoint ? resolve(endpoint) : null;
            if (resolved is not null && !resolved.Equals(old?.Endpoint))
            {
                newEndpoint = resolved;
            }
            else if (peer.Candidates.Count > 0)
            {
                reattempt = true;
            }
        }

        bool endpointChanged = newEndpoint is not null;
        bool changed = allowedChanged || keepaliveChanged || endpointChanged;
        if (!changed && !reattempt)
        {
            return (null, null, false);
        }

        var builder = new PeerConfig { PublicKey = peer.PublicKey };
        var details = new List<string>();
        if (allowedChanged)
        {
            builder.ReplaceAllowedIPs = true;
            builder.AllowedIPs.Add(allowed);
            details.Add($"allowed IPs: {Describe(old?.AllowedIPs)} => {allowed}");
        }

        if (keepaliveChanged)
        {
            builder.PersistentKeepaliveInterval = keepalive;
            details.Add($"persistent keepalive: {(old is null ? "(none)" : old.PersistentKeepaliveInterval)} => {keepalive}");
        }

        if (newEndpoint is not null)
        {
            builder.Endpoint = newEndpoint;
            details.Add($"endpoint: {old?.Endpoint?.ToString() ?? "(none)"} => {newEndpoint}");
        }
        else if (reattempt)
        {
            details.Add("NAT traversal: reattempt");
        }

        bool needsNat = !recentlyConnected && (peer.Candidates.Count > 0 || peer.Endpoint is not null);
        var change = new DevicePeerChange(
            old is null ? DevicePeerChangeKind.Added : DevicePeerChangeKind.Modified,
            peer.PublicKey,
            peer.Name,
            details,
            endpointChanged,
            NatReattemptOnly: !changed);
        return (changed ? builder : null, change, needsNat);
    }

    private static string Describe(IReadOnlyList<IPNetwork>? networks)
        => networks is null || networks.Count == 0 ? "(none)" : string.Join(", ", networks);
}
