using Innernet.Core.Interfaces;
using Innernet.Netlink;
using Innernet.Netlink.Route;
using Innernet.Netlink.WireGuard;
using Innernet.Testing;

namespace Innernet.Benchmarks.Server;

/// <summary>
/// A benchmark peer's end of the real tunnel: wireguard-go started by the lab in the peer's namespace, configured
/// with the library (UAPI for the key and the server peer, rtnetlink inside the namespace for address and link).
/// </summary>
internal sealed class PeerTunnel
{
    private const int OverlayPrefix = 16;
    private const ushort Keepalive = 25;
    private const int HostPrefix = 32;

    private readonly string _namespacePath;
    private readonly BenchNetwork _network;
    private readonly IPEndPoint _serverUnderlay;

    private PeerTunnel(string ns, string iface, BenchPeer peer, BenchNetwork network, IPEndPoint serverUnderlay)
    {
        Namespace = ns;
        Interface = iface;
        Peer = peer;
        _namespacePath = NetnsLab.NamespacePath(ns);
        _network = network;
        _serverUnderlay = serverUnderlay;
    }

    public string Namespace { get; }

    public string Interface { get; }

    public BenchPeer Peer { get; }

    /// <summary>
    /// Starts wireguard-go, sets the private key, the overlay address (/16, so the kernel adds the on-link route), innernet's
    /// MTU (1280) and link up; no server peer yet.
    /// </summary>
    public static PeerTunnel BringUp(NetnsLab lab, string ns, string iface, BenchPeer peer, BenchNetwork network, IPEndPoint serverUnderlay)
    {
        ArgumentNullException.ThrowIfNull(lab);
        ArgumentNullException.ThrowIfNull(peer);
        lab.StartWireGuardGo(ns, iface, logLevel: "error");
        var tunnel = new PeerTunnel(ns, iface, peer, network, serverUnderlay);
        NetworkNamespace.Run(tunnel._namespacePath, () =>
        {
            using var wireGuard = WireGuardClient.Open(WireGuardBackend.Userspace);
            wireGuard.ConfigureDevice(iface, new DeviceConfig { PrivateKey = peer.PrivateKey });
            using var route = new RouteNetlinkClient();
            var link = route.GetLink(iface)
                ?? throw new InvalidOperationException($"wireguard-go's tun '{iface}' is not visible in namespace {ns}.");
            route.ReplaceAddress(link.Index, new InterfaceAddress(peer.Ip, OverlayPrefix));
            route.SetMtu(link.Index, NetworkOptions.DefaultMtu); // innernet's client MTU, as the server uses
            route.SetLinkUp(link.Index);
        });
        return tunnel;
    }

    /// <summary>
    /// (Re)sets the server as the only peer. A fresh peer object has no handshake history, so the next packet
    /// starts a handshake at once instead of waiting out wireguard-go's 5 s retry (used while the server starts).
    /// </summary>
    public void SetServerPeer()
    {
        using var wireGuard = WireGuardClient.Open(WireGuardBackend.Userspace);
        wireGuard.ConfigureDevice(Interface, new DeviceConfig
        {
            ReplacePeers = true,
            Peers =
            {
                new PeerConfig
                {
                    PublicKey = _network.ServerPublicKey,
                    Endpoint = _serverUnderlay,
                    PersistentKeepaliveInterval = Keepalive,
                    ReplaceAllowedIPs = true,
                    AllowedIPs = { new IPNetwork(_network.ServerIp, HostPrefix) },
                },
            },
        });
    }

    /// <summary>True once a handshake with the server completed.</summary>
    public bool HasHandshake()
    {
        using var wireGuard = WireGuardClient.Open(WireGuardBackend.Userspace);
        return wireGuard.GetDevice(Interface)?.Peers.Any(p => p.LastHandshake is not null) == true;
    }

    /// <summary>A client whose sockets live in this peer's namespace (so they go through its tunnel).</summary>
    public BenchHttpClient CreateClient(int connections, TimeSpan? connectTimeout = null)
        => BenchHttpClient.State(_namespacePath, _network.ApiEndpoint, _network.ServerPublicKey, connections, connectTimeout);
}
