using Innernet.Core.Interfaces;
using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Fetch;

/// <summary>
/// What the client needs from the operating system: a WireGuard control, innernet's <c>wg::up</c> and
/// <c>down</c>, and the local addresses reported as NAT candidates. <see cref="NetlinkInterfaceLayer"/> is the
/// real one; tests without root substitute an in-memory device.
/// </summary>
public interface IInterfaceLayer : IDisposable
{
    /// <summary>Reads and configures the WireGuard devices.</summary>
    WireGuardClient WireGuard { get; }

    /// <summary>innernet's <c>wg::up</c> (device, key, port, server peer, address, MTU, link up, route).</summary>
    /// <returns>True when the device had to be created.</returns>
    bool BringUp(InterfaceUpRequest request);

    /// <summary>Deletes the WireGuard device; false when there was none.</summary>
    bool BringDown(string name);

    /// <summary>
    /// The host's addresses worth offering to peers as NAT candidates, all of them; <see cref="CandidateSelector"/> keeps
    /// at most <see cref="Model.NetworkDefaults.MaxCandidates"/>.
    /// </summary>
    IReadOnlyList<IPAddress> GetLocalAddresses();
}
