using Innernet.Core.Model;
using Innernet.Core.Sync;
using Innernet.Netlink.Route;
using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Interfaces;

/// <summary>
/// Brings innernet interfaces up and down through Innernet.Netlink only (innernet's <c>wg::up</c> and
/// <c>down</c>): WireGuard device and keys through an <see cref="WireGuardClient"/> (kernel,
/// userspace or auto), address, link state, MTU and route through rtnetlink in the calling thread's network
/// namespace. wireguard-go's tun device is an ordinary link there, so the same rtnetlink calls apply.
/// </summary>
/// <remarks>Not thread-safe (neither is the <see cref="WireGuardClient"/> it uses).</remarks>
public sealed class InterfaceManager
{
    private readonly WireGuardClient _wireGuard;
    private readonly Func<RouteNetlinkClient> _openRoute;

    /// <summary>Uses <paramref name="wireGuard"/> for WireGuard and a new rtnetlink socket per operation.</summary>
    public InterfaceManager(WireGuardClient wireGuard)
        : this(wireGuard, static () => new RouteNetlinkClient())
    {
    }

    /// <summary>Uses <paramref name="wireGuard"/> and rtnetlink clients from <paramref name="openRoute"/> (disposed after each
    /// use).</summary>
    public InterfaceManager(WireGuardClient wireGuard, Func<RouteNetlinkClient> openRoute)
    {
        ArgumentNullException.ThrowIfNull(wireGuard);
        ArgumentNullException.ThrowIfNull(openRoute);
        _wireGuard = wireGuard;
        _openRoute = openRoute;
    }

    /// <summary>The WireGuard control this manager drives.</summary>
    public WireGuardClient WireGuard => _wireGuard;

    /// <summary>
    /// innernet's <c>wg::up</c>: creates the device if missing, applies key, port and the optional server peer,
    /// sets the address (replacing an equal one), brings the link up with the MTU and adds the one route for the
    /// root network unless <see cref="NetworkOptions.NoRouting"/> (an existing route is fine).
    /// </summary>
    /// <returns>True when the WireGuard device had to be created.</returns>
    /// <exception cref="InvalidOperationException">The device cannot be found as a link after it was created.</exception>
    public bool Up(InterfaceUpRequest request) => Up(request, current: null);

    /// <summary>
    /// <see cref="Up(InterfaceUpRequest)"/> for a caller that has just read the device (<paramref name="current"/>;
    /// null = it does not exist): a live interface keeps what already matches, so its sessions survive. The
    /// private key and listen port are only set when they differ (wireguard-go re-binds its socket on every
    /// listen-port set), and the address only when the link lacks it.
    /// </summary>
    /// <returns>True when the WireGuard device had to be created.</returns>
    /// <exception cref="InvalidOperationException">The device cannot be found as a link after it was created.</exception>
    public bool Up(InterfaceUpRequest request, WireGuardDevice? current)
    {
        ArgumentNullException.ThrowIfNull(request);
        Netlink.InterfaceName.Validate(request.Name, nameof(request));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(request.Network.Mtu, nameof(request));

        bool created = _wireGuard.CreateDevice(request.Name);
        var config = BuildDeviceConfig(request);
        if (current is not null && !created)
        {
            config.PrivateKey = current.PrivateKey == request.PrivateKey ? null : config.PrivateKey;
            config.ListenPort = current.ListenPort == request.ListenPort ? null : config.ListenPort;
        }

        if (config.PrivateKey is not null || config.ListenPort is not null || config.Peers.Count > 0)
        {
            _wireGuard.ConfigureDevice(request.Name, config);
        }

        using var route = _openRoute();
        var link = route.GetLink(request.Name)
            ?? throw new InvalidOperationException(
                $"WireGuard device '{request.Name}' exists but no network link of that name is visible in this network namespace.");
        if (current is null || created || !route.GetAddresses(link.Index).Contains(request.Address))
        {
            route.ReplaceAddress(link.Index, request.Address);
        }

        route.SetMtu(link.Index, request.Network.Mtu);
        route.SetLinkUp(link.Index);
        if (RouteFor(request) is { } network)
        {
            // false = the route exists already, which is what we want.
            _ = route.AddRoute(network, link.Index);
        }

        return created;
    }

    /// <summary>innernet's <c>down</c>: deletes the WireGuard device (kernel link, or the userspace socket).</summary>
    /// <returns>False when there was no such device.</returns>
    public bool Down(string name)
    {
        Netlink.InterfaceName.Validate(name);
        return _wireGuard.DeleteDevice(name);
    }

    /// <summary>True when the WireGuard device exists and its link is administratively up.</summary>
    public bool IsUp(string name)
    {
        Netlink.InterfaceName.Validate(name);
        if (_wireGuard.GetDevice(name) is null)
        {
            return false;
        }

        using var route = _openRoute();
        return route.GetLink(name) is { IsUp: true };
    }

    /// <summary>
    /// The one WireGuard update <see cref="Up(InterfaceUpRequest)"/> applies: private key, listen port if given, and the server peer
    /// (allowed IP = its overlay IP as /32 or /128, keepalive 25, endpoint if known). Peers already on the
    /// device are left alone.
    /// </summary>
    public static DeviceConfig BuildDeviceConfig(InterfaceUpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var config = new DeviceConfig { PrivateKey = request.PrivateKey, ListenPort = request.ListenPort };
        if (request.ServerPeer is { } server)
        {
            config.Peers.Add(new PeerConfig
            {
                PublicKey = server.PublicKey,
                Endpoint = server.Endpoint,
                PersistentKeepaliveInterval = NetworkDefaults.PersistentKeepaliveSeconds,
                ReplaceAllowedIPs = true,
                AllowedIPs = { PeerDiff.HostNetwork(server.InternalIp) },
            });
        }

        return config;
    }

    /// <summary>
    /// The route <see cref="Up(InterfaceUpRequest)"/> adds (the root network, e.g. 10.42.0.0/16), or null with no-routing.
    /// </summary>
    public static IPNetwork? RouteFor(InterfaceUpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Network.NoRouting ? null : request.Address.Network;
    }
}
