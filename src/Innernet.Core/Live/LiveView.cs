using System.Threading;
using System.Threading.Tasks;
using Innernet.Core.Client;
using Innernet.Core.Config;
using Innernet.Core.Fetch;
using Innernet.Core.Keys;
using Innernet.Core.Model;
using Innernet.Core.Sync;
using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Live;

/// <summary>
/// The live client's view of one network, held in memory between messages of the state stream: the server's peers
/// (indexed by id, IP and key), its CIDRs, the version, the peer cache with its pins, and a copy of the WireGuard
/// device as last read or configured. <see cref="ApplyAsync"/> applies one difference at a cost proportional to
/// the change: the same answer rules as a fetch (<see cref="ServerAnswerValidator.ValidateChange"/>) and the pins
/// of every changed peer are checked BEFORE anything is applied, then WireGuard gets only the changed peers. The
/// hosts file and the cache are written by <see cref="Flush"/>, which the caller coalesces over bursts. Not
/// thread-safe.
/// </summary>
/// <remarks>
/// Two clients that receive each other in the same update (a new association) would both add the other with a
/// persistent keepalive, and both devices would start a handshake at once; WireGuard then answers each initiation
/// and drops both responses, and the tunnel only comes up at the retry, 5 s later. So of two peers new to each other
/// only the one with the smaller public key starts at once: the other adds the peer with its keepalive off and turns
/// it on <see cref="KeepaliveDeferral"/> later (<see cref="ApplyDeferredKeepalives"/>), by when the first handshake has
/// normally completed, and otherwise starts its own.
/// </remarks>
public sealed class LiveView
{
    /// <summary>How long the yielding side of two peers new to each other waits before its keepalive starts.</summary>
    public static readonly TimeSpan KeepaliveDeferral = TimeSpan.FromSeconds(1);

    private readonly string _name;
    private readonly InterfaceConfig _config;
    private readonly DataStore _store;
    private readonly WireGuardKey _ownKey;
    private readonly Dictionary<WireGuardKey, WireGuardPeer> _device = [];
    private readonly IClientLog _log;
    private readonly Dictionary<WireGuardKey, ushort> _deferredKeepalives = [];
    private List<Cidr> _cidrs;

    /// <summary>
    /// A view of the full state <paramref name="state"/> at <paramref name="version"/>, which the caller has already
    /// applied through the fetch path (<see cref="InterfaceFetcher.ApplyStateAsync"/>); <paramref name="device"/> is
    /// the device read after that.
    /// </summary>
    public LiveView(
        string interfaceName,
        InterfaceConfig config,
        DataStore store,
        State state,
        string version,
        WireGuardDevice device,
        IClientLog? log = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(device);
        _name = interfaceName;
        _config = config;
        _store = store;
        _ownKey = WireGuardKeys.GetPublicKey(config.Interface.PrivateKey);
        _log = log ?? NullClientLog.Instance;
        Peers = new HeldPeers(state.Peers);
        _cidrs = [.. state.Cidrs];
        Version = version;
        Refresh(device);
    }

    /// <summary>The version of the view held (sent back as <c>since</c>).</summary>
    public string Version { get; private set; }

    /// <summary>The server's peers as held (without local endpoint overrides).</summary>
    public HeldPeers Peers { get; }

    /// <summary>The CIDRs as held.</summary>
    public IReadOnlyList<Cidr> Cidrs => _cidrs;

    /// <summary>True when the hosts file or the cache have changes <see cref="Flush"/> has not written yet.</summary>
    public bool HasUnflushedChanges => _hostsDirty || _store.HasUnsavedChanges;

    private bool _hostsDirty;

    /// <summary>True when added peers wait for their keepalive (<see cref="ApplyDeferredKeepalives"/>).</summary>
    public bool HasDeferredKeepalives => _deferredKeepalives.Count > 0;

    /// <summary>
    /// True when this side lets <paramref name="peer"/> start the first handshake: the larger public key (compared as
    /// bytes) yields, so of two peers exactly one starts.
    /// </summary>
    public static bool YieldsTo(WireGuardKey own, WireGuardKey peer) => own.Bytes.SequenceCompareTo(peer.Bytes) > 0;

    /// <summary>The held view as a state answer (for a re-check of the whole device).</summary>
    public State ToState() => new([.. Peers.All.OrderBy(p => p.Id)], _cidrs);

    /// <summary>Replaces the held copy of the device by a fresh read (handshakes, endpoints, drift).</summary>
    public void Refresh(WireGuardDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        _device.Clear();
        foreach (var peer in device.Peers)
        {
            _device.TryAdd(peer.PublicKey, peer);
        }
    }

    /// <summary>
    /// Applies one difference: checks it, then configures only the changed peers on <paramref name="wireGuard"/>
    /// and updates the view and the cache in memory. A difference for another version than <see cref="Version"/> is
    /// a gap: nothing is applied.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="update"/> is a full view (the fetch path applies those).</exception>
    /// <exception cref="ServerAnswerException">The difference breaks an answer rule; nothing was applied.</exception>
    /// <exception cref="PinningException">A changed peer breaks a pin; nothing was applied.</exception>
    public async Task<LiveApplyResult> ApplyAsync(
        StateUpdate update,
        WireGuardClient wireGuard,
        DateTimeOffset now,
        Func<Endpoint, IPEndPoint?> resolve,
        TimeSpan lookupTimeout,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        ArgumentNullException.ThrowIfNull(wireGuard);
        ArgumentNullException.ThrowIfNull(resolve);
        if (update.Full)
        {
            throw new ArgumentException("A full view is applied by the fetch path, not as a difference.", nameof(update));
        }

        if (update.Since != Version)
        {
            return LiveApplyResult.Missed;
        }

        // 1. Check everything before anything changes: the answer rules (peers, and the CIDR tree when it changed), then
        //    the pins of every changed peer.
        var removedIds = update.Removed.Where(id => Peers.ById(id) is not null).ToHashSet();
        ServerAnswerValidator.ValidateChange(update.Peers, removedIds, Peers, _config);
        if (update.Cidrs is not null)
        {
            ServerAnswerValidator.ValidateCidrs(update.Cidrs, _config);
        }

        _store.CheckPins(update.Peers);

        // 2. The device update for the changed peers only.
        var leaving = new List<Peer>();
        foreach (long id in removedIds)
        {
            leaving.Add(Peers.ById(id)!);
        }

        var removedKeys = new List<(WireGuardKey, string?)>();
        var removedIps = new List<IPAddress>();
        foreach (var old in leaving)
        {
            removedKeys.Add((old.PublicKey, old.Name));
            removedIps.Add(old.Ip);
        }

        foreach (var peer in update.Peers)
        {
            if (Peers.ById(peer.Id) is { } before)
            {
                if (before.PublicKey != peer.PublicKey)
                {
                    removedKeys.Add((before.PublicKey, before.Name));
                }

                if (!before.Ip.Equals(peer.Ip))
                {
                    removedIps.Add(before.Ip);
                }
            }
        }

        var changed = EndpointOverrides.Apply(update.Peers, _config.PeerEndpointOverrides);
        var resolver = await EndpointResolver.ResolvePeersAsync(changed, _ownKey, resolve, lookupTimeout, _log.Warning, cancellationToken)
            .ConfigureAwait(false);
        var diff = PeerDiff.ComputeChange(changed, removedKeys, key => _device.GetValueOrDefault(key), _ownKey, now, resolver);
        foreach (var config in diff.Config.Peers)
        {
            if (!config.Remove && !_device.ContainsKey(config.PublicKey) && config.PersistentKeepaliveInterval is > 0 and var keepalive
                && YieldsTo(_ownKey, config.PublicKey))
            {
                _deferredKeepalives[config.PublicKey] = keepalive;
                config.PersistentKeepaliveInterval = 0;
            }
        }

        if (diff.HasUpdates)
        {
            wireGuard.ConfigureDevice(_name, diff.Config);
        }

        // 3. The device took it: the view, the held device copy and the cache (in memory) follow.
        foreach (var config in diff.Config.Peers)
        {
            Remember(config);
        }

        bool namesChanged = leaving.Count > 0;
        foreach (var old in leaving)
        {
            Peers.Remove(old.Id);
        }

        foreach (var peer in update.Peers)
        {
            var before = Peers.ById(peer.Id);
            namesChanged |= before is null || before.Name != peer.Name || !before.Ip.Equals(peer.Ip)
                || before.IsDisabled != peer.IsDisabled;
            Peers.Set(peer);
        }

        _store.ApplyDifference(update.Peers, removedIps, update.Cidrs);
        if (update.Cidrs is not null)
        {
            _cidrs = [.. update.Cidrs];
        }

        _hostsDirty |= namesChanged;
        Version = update.Version;
        return new LiveApplyResult(false, diff);
    }

    /// <summary>
    /// Turns on the keepalives <see cref="ApplyAsync"/> held back (see the remarks), in one device update, for the
    /// peers still on the device. Returns how many.
    /// </summary>
    public int ApplyDeferredKeepalives(WireGuardClient wireGuard)
    {
        ArgumentNullException.ThrowIfNull(wireGuard);
        var update = new DeviceConfig();
        foreach (var (key, keepalive) in _deferredKeepalives)
        {
            if (_device.ContainsKey(key))
            {
                update.Peers.Add(new PeerConfig { PublicKey = key, UpdateOnly = true, PersistentKeepaliveInterval = keepalive });
            }
        }

        if (update.Peers.Count > 0)
        {
            wireGuard.ConfigureDevice(_name, update);
        }

        _deferredKeepalives.Clear();
        foreach (var config in update.Peers)
        {
            Remember(config);
        }

        return update.Peers.Count;
    }

    /// <summary>
    /// Writes what <see cref="ApplyAsync"/> left in memory: the hosts section (when names or IPs changed and hosts
    /// are written) and the cache. Returns true when something was written.
    /// </summary>
    public bool Flush(HostsOptions hosts)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        bool wrote = false;
        if (_hostsDirty && hosts.Write)
        {
            wrote |= HostsFile.Update(hosts.Path, _name, Peers.All.Where(p => !p.IsDisabled).OrderBy(p => p.Id), hosts.Suffix);
        }

        _hostsDirty = false;
        wrote |= _store.Save();
        return wrote;
    }

    /// <summary>Keeps the held copy of the device in step with an update WireGuard accepted.</summary>
    private void Remember(PeerConfig config)
    {
        if (config.Remove)
        {
            _device.Remove(config.PublicKey);
            return;
        }

        _device.TryGetValue(config.PublicKey, out var old);
        _device[config.PublicKey] = new WireGuardPeer
        {
            PublicKey = config.PublicKey,
            Endpoint = config.Endpoint ?? old?.Endpoint,
            LastHandshake = old?.LastHandshake,
            PersistentKeepaliveInterval = config.PersistentKeepaliveInterval ?? old?.PersistentKeepaliveInterval ?? 0,
            AllowedIPs = config.ReplaceAllowedIPs ? [.. config.AllowedIPs] : [.. old?.AllowedIPs ?? [], .. config.AllowedIPs],
        };
    }
}
