using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Nat;

/// <summary>An <see cref="INatDevice"/> over one device of an <see cref="WireGuardClient"/>.</summary>
public sealed class WireGuardNatDevice(WireGuardClient wireGuard, string name) : INatDevice
{
    /// <inheritdoc/>
    public WireGuardDevice? Read() => wireGuard.GetDevice(name);

    /// <inheritdoc/>
    public void Apply(DeviceConfig config) => wireGuard.ConfigureDevice(name, config);
}
