using Innernet.Netlink.WireGuard;

namespace Innernet.Testing;

/// <summary>
/// Forwards every call to another <see cref="WireGuardClient"/> (a real backend or an <see cref="InMemoryWireGuard"/>)
/// and records the calls that change devices (<c>create wg0</c>, <c>configure wg0</c>, <c>delete wg0</c>) with the
/// configurations given; can make creations throw. Disposing it is recorded but leaves the inner client to its owner.
/// Thread-safe.
/// </summary>
public sealed class RecordingWireGuard(WireGuardClient inner) : WireGuardClient
{
    private readonly List<string> _calls = [];
    private readonly List<DeviceConfig> _configs = [];
    private readonly Lock _lock = new();

    public override WireGuardBackend Backend => inner.Backend;

    /// <summary>Every create, configure and delete so far, in order (a copy).</summary>
    public IReadOnlyList<string> Calls
    {
        get
        {
            lock (_lock)
            {
                return [.. _calls];
            }
        }
    }

    /// <summary>The configuration of every <see cref="ConfigureDevice"/> call so far, in order (a copy).</summary>
    public IReadOnlyList<DeviceConfig> Configs
    {
        get
        {
            lock (_lock)
            {
                return [.. _configs];
            }
        }
    }

    /// <summary>When set, <see cref="CreateDevice"/> throws it (after recording the call) instead of forwarding.</summary>
    public Exception? CreateError { get; set; }

    /// <summary>Whether this client has been disposed.</summary>
    public bool Disposed { get; private set; }

    /// <summary>Forgets the recorded calls and configurations.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _calls.Clear();
            _configs.Clear();
        }
    }

    public override IReadOnlyList<string> ListDevices() => inner.ListDevices();

    public override WireGuardDevice? GetDevice(string name) => inner.GetDevice(name);

    public override bool CreateDevice(string name)
    {
        Record("create " + name);
        if (CreateError is { } error)
        {
            throw error;
        }

        return inner.CreateDevice(name);
    }

    public override void ConfigureDevice(string name, DeviceConfig config)
    {
        Record("configure " + name, config);
        inner.ConfigureDevice(name, config);
    }

    public override bool DeleteDevice(string name)
    {
        Record("delete " + name);
        return inner.DeleteDevice(name);
    }

    protected override void Dispose(bool disposing)
    {
        Disposed = true;
        base.Dispose(disposing);
    }

    private void Record(string call, DeviceConfig? config = null)
    {
        lock (_lock)
        {
            _calls.Add(call);
            if (config is not null)
            {
                _configs.Add(config);
            }
        }
    }
}
