using Innernet.Core.Keys;
using Innernet.Netlink.WireGuard;

namespace Innernet.Client.Tests.Fakes;

/// <summary>
/// An in-memory WireGuard (the real one needs root; the host-layer test covers it): devices with keys, port and
/// peers, applying <see cref="DeviceConfig"/> with WireGuard's semantics, and recording every update.
/// </summary>
internal sealed class FakeWireGuard : IWireGuardControl
{
    private readonly Dictionary<string, FakeDevice> _devices = [];

    public WireGuardBackend Backend => WireGuardBackend.Userspace;

    /// <summary>Every ConfigureDevice call, in order.</summary>
    public List<(string Name, DeviceConfig Config)> Updates { get; } = [];

    /// <summary>Called after each update (tests simulate handshakes here).</summary>
    public Action<string, DeviceConfig>? AfterUpdate { get; set; }

    public IReadOnlyList<string> ListDevices() => [.. _devices.Keys];

    public WireGuardDevice? GetDevice(string name) => _devices.TryGetValue(name, out var d) ? d.Snapshot(name) : null;

    public bool CreateDevice(string name)
    {
        if (_devices.ContainsKey(name))
        {
            return false;
        }

        _devices[name] = new FakeDevice();
        return true;
    }

    public void ConfigureDevice(string name, DeviceConfig config)
    {
        if (!_devices.TryGetValue(name, out var device))
        {
            throw new InvalidOperationException($"no device {name}");
        }

        Updates.Add((name, config));
        device.Apply(config);
        AfterUpdate?.Invoke(name, config);
    }

    public bool DeleteDevice(string name) => _devices.Remove(name);

    /// <summary>Sets a peer's last handshake (simulating a completed handshake).</summary>
    public void SetHandshake(string name, WireGuardKey key, DateTimeOffset when) => _devices[name].Peers[key].LastHandshake = when;

    public void Dispose()
    {
    }

    private sealed class FakeDevice
    {
        public WireGuardKey? PrivateKey { get; set; }

        public ushort ListenPort { get; set; } = 40000;

        public Dictionary<WireGuardKey, FakePeer> Peers { get; } = [];

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

            foreach (var peer in config.Peers)
            {
                if (peer.Remove)
                {
                    Peers.Remove(peer.PublicKey);
                    continue;
                }

                if (!Peers.TryGetValue(peer.PublicKey, out var current))
                {
                    if (peer.UpdateOnly)
                    {
                        continue;
                    }

                    Peers[peer.PublicKey] = current = new FakePeer();
                }

                if (peer.Endpoint is { } endpoint)
                {
                    current.Endpoint = endpoint;
                }

                if (peer.PersistentKeepaliveInterval is { } keepalive)
                {
                    current.Keepalive = keepalive;
                }

                if (peer.ReplaceAllowedIPs)
                {
                    current.AllowedIPs.Clear();
                }

                current.AllowedIPs.AddRange(peer.AllowedIPs);
            }
        }

        public WireGuardDevice Snapshot(string name) => new()
        {
            Name = name,
            PrivateKey = PrivateKey,
            PublicKey = PrivateKey is { } k ? WireGuardKeys.GetPublicKey(k) : null,
            ListenPort = ListenPort,
            Backend = WireGuardBackend.Userspace,
            Peers = [.. Peers.Select(p => new WireGuardPeer
            {
                PublicKey = p.Key,
                Endpoint = p.Value.Endpoint,
                LastHandshake = p.Value.LastHandshake,
                PersistentKeepaliveInterval = p.Value.Keepalive,
                AllowedIPs = [.. p.Value.AllowedIPs],
            })],
        };
    }

    private sealed class FakePeer
    {
        public IPEndPoint? Endpoint { get; set; }

        public ushort Keepalive { get; set; }

        public DateTimeOffset? LastHandshake { get; set; }

        public List<IPNetwork> AllowedIPs { get; } = [];
    }
}
