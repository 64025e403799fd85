using Innernet.Netlink.WireGuard;

namespace Innernet.Server.Tests.Cli;

/// <summary>
/// In-memory WireGuard devices: lets the CLI's "touch the live interface if it exists" paths and the peer sync
/// run without creating devices on the host. Applies configs the way WireGuard does (replace-peers, remove,
/// add/update with replace-allowed-ips) and records every config.
/// </summary>
internal sealed class FakeWireGuardControl : IWireGuardControl
{
    private readonly Dictionary<string, Dictionary<WireGuardKey, WireGuardPeer>> _devices = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public WireGuardBackend Backend => WireGuardBackend.Userspace;

    public List<(string Device, DeviceConfig Config)> Configured { get; } = [];

    public int ConcurrentCalls { get; private set; }

    public void AddDevice(string name)
    {
        lock (_lock)
        {
            _devices[name] = [];
        }
    }

    public IReadOnlyList<WireGuardPeer> Peers(string name)
    {
        lock (_lock)
        {
            return [.. _devices[name].Values];
        }
    }

    public void SetEndpoint(string name, WireGuardKey key, IPEndPoint endpoint)
    {
        lock (_lock)
        {
            var peer = _devices[name][key];
            _devices[name][key] = new WireGuardPeer
            {
                PublicKey = peer.PublicKey,
                Endpoint = endpoint,
                AllowedIPs = peer.AllowedIPs,
                PersistentKeepaliveInterval = peer.PersistentKeepaliveInterval,
            };
        }
    }

    public IReadOnlyList<string> ListDevices()
    {
        lock (_lock)
        {
            return [.. _devices.Keys];
        }
    }

    public WireGuardDevice? GetDevice(string name)
    {
        lock (_lock)
        {
            return _devices.TryGetValue(name, out var peers)
                ? new WireGuardDevice { Name = name, Peers = [.. peers.Values], Backend = Backend }
                : null;
        }
    }

    public bool CreateDevice(string name)
    {
        lock (_lock)
        {
            return _devices.TryAdd(name, []);
        }
    }

    public void ConfigureDevice(string name, DeviceConfig config)
    {
        lock (_lock)
        {
            if (!_devices.TryGetValue(name, out var peers))
            {
                throw new InvalidOperationException($"WireGuard device '{name}' does not exist.");
            }

            Configured.Add((name, config));
            if (config.ReplacePeers)
            {
                peers.Clear();
            }

            foreach (var peer in config.Peers)
            {
                if (peer.Remove)
                {
                    peers.Remove(peer.PublicKey);
                    continue;
                }

                var old = peers.GetValueOrDefault(peer.PublicKey);
                peers[peer.PublicKey] = new WireGuardPeer
                {
                    PublicKey = peer.PublicKey,
                    Endpoint = peer.Endpoint ?? old?.Endpoint,
                    PersistentKeepaliveInterval = peer.PersistentKeepaliveInterval ?? old?.PersistentKeepaliveInterval ?? 0,
                    AllowedIPs = peer.ReplaceAllowedIPs || old is null ? [.. peer.AllowedIPs] : [.. old.AllowedIPs, .. peer.AllowedIPs],
                };
            }
        }
    }

    public bool DeleteDevice(string name)
    {
        lock (_lock)
        {
            return _devices.Remove(name);
        }
    }

    public void Dispose()
    {
        // Shared by the test across several CLI runs: nothing to release.
    }
}
