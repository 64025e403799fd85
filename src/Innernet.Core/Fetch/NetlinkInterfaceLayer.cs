using Innernet.Core.Interfaces;
using Innernet.Netlink.Route;
using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Fetch;

/// <summary>The real <see cref="IInterfaceLayer"/>: Innernet.Netlink's WireGuard control plus rtnetlink.</summary>
public sealed class NetlinkInterfaceLayer : IInterfaceLayer
{
    private readonly InterfaceManager _manager;

    /// <summary>Uses (and disposes) <paramref name="wireGuard"/>.</summary>
    public NetlinkInterfaceLayer(WireGuardClient wireGuard)
    {
        ArgumentNullException.ThrowIfNull(wireGuard);
        WireGuard = wireGuard;
        _manager = new InterfaceManager(wireGuard);
    }

    /// <inheritdoc/>
    public WireGuardClient WireGuard { get; }

    /// <summary>Opens <paramref name="backend"/> the way innernet does (<see cref="WireGuardBackends.Open"/>).</summary>
    public static NetlinkInterfaceLayer Open(WireGuardBackend backend) => new(WireGuardBackends.Open(backend));

    /// <inheritdoc/>
    public bool BringUp(InterfaceUpRequest request) => _manager.Up(request);

    /// <inheritdoc/>
    public bool BringDown(string name) => _manager.Down(name);

    /// <inheritdoc/>
    public IReadOnlyList<IPAddress> GetLocalAddresses()
    {
        using var route = new RouteNetlinkClient();
        return route.GetLocalAddresses();
    }

    /// <inheritdoc/>
    public void Dispose() => WireGuard.Dispose();
}
