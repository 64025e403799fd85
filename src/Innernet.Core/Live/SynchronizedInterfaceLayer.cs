using System.Threading;
using Innernet.Core.Fetch;
using Innernet.Core.Interfaces;
using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Live;

/// <summary>
/// An <see cref="IInterfaceLayer"/> whose every call holds one lock, so the daemon's networks and their background
/// NAT traversals can share one device layer (the netlink and UAPI controls are not thread-safe). Disposing it
/// disposes the inner layer.
/// </summary>
public sealed class SynchronizedInterfaceLayer : IInterfaceLayer
{
    private readonly IInterfaceLayer _inner;
    private readonly Lock _lock = new();

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public SynchronizedInterfaceLayer(IInterfaceLayer inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
        WireGuard = new Control(inner.WireGuard, _lock);
    }

    /// <inheritdoc/>
    public WireGuardClient WireGuard { get; }

    /// <inheritdoc/>
    public bool BringUp(InterfaceUpRequest request)
    {
        lock (_lock)
        {
            return _inner.BringUp(request);
        }
    }

    /// <inheritdoc/>
    public bool BringDown(string name)
    {
        lock (_lock)
        {
            return _inner.BringDown(name);
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<IPAddress> GetLocalAddresses()
    {
        lock (_lock)
        {
            return _inner.GetLocalAddresses();
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _inner.Dispose();

    private sealed class Control(WireGuardClient inner, Lock gate) : WireGuardClient
    {
        /// <inheritdoc/>
        public override WireGuardBackend Backend => inner.Backend;

        /// <inheritdoc/>
        public override IReadOnlyList<string> ListDevices()
        {
            lock (gate)
            {
                return inner.ListDevices();
            }
        }

        /// <inheritdoc/>
        public override WireGuardDevice? GetDevice(string name)
        {
            lock (gate)
            {
                return inner.GetDevice(name);
            }
        }

        /// <inheritdoc/>
        public override bool CreateDevice(string name)
        {
            lock (gate)
            {
                return inner.CreateDevice(name);
            }
        }

        /// <inheritdoc/>
        public override void ConfigureDevice(string name, DeviceConfig config)
        {
            lock (gate)
            {
                inner.ConfigureDevice(name, config);
            }
        }

        /// <inheritdoc/>
        public override bool DeleteDevice(string name)
        {
            lock (gate)
            {
                return inner.DeleteDevice(name);
            }
        }

        protected override void Dispose(bool disposing)
        {
            // The layer owns the inner control.
            base.Dispose(disposing);
        }
    }
}
