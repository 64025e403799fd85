using System.Net;
using Innernet.Netlink;
using Innernet.Netlink.WireGuard;

namespace Innernet.Testing;

/// <summary>
/// In-memory WireGuard devices for the unit layer (the real backends need root; host and kernel tests cover
/// them): private key, listen port and peers, with <see cref="DeviceConfig"/> applied the way WireGuard applies it
/// (replace-peers, remove, update-only, replace-allowed-ips, an allowed IP moving to the last peer that claims it,
/// unset = unchanged). Records every update, can fail the next ones (a refused netlink call) and lets a test
/// change a device behind the product's back (drift, handshakes, roaming). Reports itself and its devices as
/// <paramref name="backend"/> (default: userspace). Thread-safe.
/// </summary>
public sealed class InMemoryWireGuard(WireGuardBackend backend = WireGuardBackend.Userspace) : WireGuardClient
{
    private readonly Dictionary<string, Device> _devices = new(StringComparer.Ordinal);
    private readonly List<(string Name, DeviceConfig Config)> _updates = [];
    private readonly Lock _lock = new();
    private int _failures;

    public override WireGuardBackend Backend => backend;

    /// <summary>Every successful <see cref="ConfigureDevice"/> call, in order (a copy).</summary>
    public IReadOnlyList<(string Name, DeviceConfig Config)> Updates
    {
        get
        {
            lock (_lock)
            {
                return [.. _updates];
            }
        }
    }

    /// <summary>How many <see cref="GetDevice"/> calls found a device.</summary>
    public int Reads { get; private set; }

    /// <summary>Called after each update, outside the lock (tests simulate handshakes here).</summary>
    public Action<string, DeviceConfig>? AfterUpdate { get; set; }

    /// <summary>Forgets the recorded updates.</summary>
    public void ClearUpdates()
    {
        lock (_lock)
        {
            _updates.Clear();
        }
    }

    /// <summary>Makes the next <paramref name="count"/> updates throw <see cref="IOException"/> without changing anything.</summary>
    public void FailNextUpdates(int count)
    {
        lock (_lock)
        {
            _failures = count;
        }
    }

    /// <summary>Creates an empty device (like <see cref="CreateDevice"/>, for readability in tests).</summary>
    public void AddDevice(string name) => CreateDevice(name);

    /// <summary>The device's peers now.</summary>
    public IReadOnlyList<WireGuardPeer> Peers(string name)
    {
        lock (_lock)
        {
            return Snapshot(name, _devices[name]).Peers;
        }
    }

    /// <summary>The device's peer keys now.</summary>
    public IReadOnlySet<WireGuardKey> PeerKeys(string name)
    {
        lock (_lock)
        {
            return _devices[name].Peers.Keys.ToHashSet();
        }
    }

    /// <summary>Sets a peer's endpoint, as WireGuard does when the peer roams.</summary>
    public void SetEndpoint(string name, WireGuardKey key, IPEndPoint endpoint)
    {
        lock (_lock)
        {
            _devices[name].Peers[key].Endpoint = endpoint;
        }
    }

    /// <summary>Sets a peer's last handshake (a completed handshake).</summary>
    public void SetHandshake(string name, WireGuardKey key, DateTimeOffset when)
    {
        lock (_lock)
        {
            _devices[name].Peers[key].LastHandshake = when;
        }
    }

    public override IReadOnlyList<string> ListDevices()
    {
        lock (_lock)
        {
            return [.. _devices.Keys];
        }
    }

    public override WireGuardDevice? GetDevice(string name)
    {
        lock (_lock)
        {
            if (!_devices.TryGetValue(name, out var device))
            {
                return null;
            }

            Reads++;
            return Snapshot(name, device);
        }
    }

    public override bool CreateDevice(string name)
    {
        lock (_lock)
        {
            return _devices.TryAdd(name, new Device());
        }
    }

    public override void ConfigureDevice(string name, DeviceConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        lock (_lock)
        {
            if (!_devices.TryGetValue(name, out var device))
            {
                throw new NetlinkException(Errno.ENODEV, $"configure {name}", $"WireGuard device '{name}' does not exist.", null);
            }

            if (_failures > 0)
            {
                _failures--;
                throw new IOException($"WireGuard device '{name}': update refused (a failure the test asked for).");
            }

            _updates.Add((name, config));
            device.Apply(config);
        }

        AfterUpdate?.Invoke(name, config);
    }

    /// <summary>Applies a change as an outsider would (<c>wg set</c>): not recorded in <see cref="Updates"/>.</summary>
    public void ChangeBehindTheBack(string name, DeviceConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        lock (_lock)
        {
            _devices[name].Apply(config);
        }
    }

    public override bool DeleteDevice(string name)
    {
        lock (_lock)
        {
            return _devices.Remove(name);
        }
    }

    protected override void Dispose(bool disposing)
    {
        // Tests share one instance across several users: nothing to release.
        base.Dispose(disposing);
    }

    private WireGuardDevice Snapshot(string name, Device device) => new()
    {
        Name = name,
        PrivateKey = device.PrivateKey,
        PublicKey = device.PrivateKey is { } key ? TestKeys.PublicKeyOf(key) : null,
        ListenPort = device.ListenPort,
        Backend = backend,
        Peers = [.. device.Peers.Select(p => new WireGuardPeer
        {
            PublicKey = p.Key,
            Endpoint = p.Value.Endpoint,
            LastHandshake = p.Value.LastHandshake,
            PersistentKeepaliveInterval = p.Value.Keepalive,
            AllowedIPs = [.. p.Value.AllowedIPs],
        })],
    };

    private sealed class Device
    {
        public WireGuardKey? PrivateKey { get; private set; }

        public ushort ListenPort { get; private set; } = 40000;

        public Dictionary<WireGuardKey, Peer> Peers { get; } = [];

        public void Apply(DeviceConfig config)
        {
            if (config.PrivateKey is { } key)
            {
                PrivateKey = key;
            }

            if (config.ListenPort is { } port)
            {
                ListenPort = port;
            }

            if (config.ReplacePeers)
            {
                Peers.Clear();
            }

            foreach (var change in config.Peers)
            {
                if (change.Remove)
                {
                    Peers.Remove(change.PublicKey);
                    continue;
                }

                if (!Peers.TryGetValue(change.PublicKey, out var peer))
                {
                    if (change.UpdateOnly)
                    {
                        continue;
                    }

                    Peers[change.PublicKey] = peer = new Peer();
                }

                peer.Endpoint = change.Endpoint ?? peer.Endpoint;
                peer.Keepalive = change.PersistentKeepaliveInterval ?? peer.Keepalive;
                if (change.ReplaceAllowedIPs)
                {
                    peer.AllowedIPs.Clear();
                }

                foreach (var allowed in change.AllowedIPs)
                {
                    // Cryptokey routing: an allowed IP belongs to one peer, the last one given it.
                    foreach (var other in Peers.Values)
                    {
                        other.AllowedIPs.Remove(allowed);
                    }

                    peer.AllowedIPs.Add(allowed);
                }
            }
        }
    }

    private sealed class Peer
    {
        public IPEndPoint? Endpoint { get; set; }

        public ushort Keepalive { get; set; }

        public DateTimeOffset? LastHandshake { get; set; }

        public List<IPNetwork> AllowedIPs { get; } = [];
    }
}
