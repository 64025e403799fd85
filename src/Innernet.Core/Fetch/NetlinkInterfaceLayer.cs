using Innernet.Core.Interface;
using Innernet.Core.Keys;
using Innernet.Netlink.Route;
using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Fetch;

/// <summary>The real <see cref="IInterfaceLayer"/>: Innernet.Netlink's WireGuard control plus rtnetlink.</summary>
public sealed class NetlinkInterfaceLayer : IInterfaceLayer
{
    private readonly InterfaceManager _manager;

    /// <summary>Uses (and disposes) <paramref name="wireGuard"/>.</summary>
    public NetlinkInterfaceLayer(IWireGuardControl wireGuard)
    {
        ArgumentNullException.ThrowIfNull(wireGuard);
        WireGuard = wireGuard;
        _manager = new InterfaceManager(wireGuard);
    }

    public IWireGuardControl WireGuard { get; }

    /// <summary>Opens <paramref name="backend"/> with Core's X25519 key derivation (UAPI does not report public keys).</summary>
    public static NetlinkInterfaceLayer Open(WireGuardBackend backend)
        => new(WireGuardControl.Open(backend, new WireGuardControlOptions { PublicKeyDeriver = WireGuardKeys.GetPublicKey }));

    public bool BringUp(InterfaceUpRequest request) => _manager.Up(request);

    public bool BringDown(string name) => _manager.Down(name);

    public IReadOnlyList<IPAddress> GetLocalAddresses()
    {
        using var route = new RouteNetlinkClient();
        return route.GetLocalAddresses();
    }

    public void Dispose() => WireGuard.Dispose();
}
