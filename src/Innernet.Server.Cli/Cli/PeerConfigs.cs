using System.Net;
using Innernet.Core.Interface;
using Innernet.Core.Model;
using Innernet.Netlink.WireGuard;

namespace Innernet.Server.Cli;

/// <summary>How the server puts database peers onto its WireGuard interface (spec §7.2 step 3).</summary>
internal static class PeerConfigs
{
    /// <summary>The peer with its /32 or /128, keepalive 25 and its endpoint when it is an IP endpoint.</summary>
    public static PeerConfig Add(Peer peer) => new()
    {
        PublicKey = peer.PublicKey,
        Endpoint = peer.Endpoint?.TryGetIPEndPoint(),
        PersistentKeepaliveInterval = InterfaceManager.PersistentKeepalive,
        ReplaceAllowedIPs = true,
        AllowedIPs = { InterfaceManager.HostNetwork(peer.Ip) },
    };

    public static PeerConfig Remove(WireGuardKey publicKey) => new() { PublicKey = publicKey, Remove = true };

    /// <summary>Add for enabled peers, remove for disabled ones.</summary>
    public static PeerConfig For(Peer peer) => peer.IsDisabled ? Remove(peer.PublicKey) : Add(peer);
}
