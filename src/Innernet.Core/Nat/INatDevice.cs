using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Nat;

/// <summary>The WireGuard device as NAT traversal sees it: read its peers, set endpoints.</summary>
public interface INatDevice
{
    /// <summary>The device now, or null when it no longer exists.</summary>
    WireGuardDevice? Read();

    /// <summary>Applies one update (endpoint changes for several peers at once).</summary>
    void Apply(DeviceConfig config);
}
