using Innernet.Core.Config;
using Innernet.Core.Keys;
using Innernet.Core.Live;
using Innernet.Core.Model;
using Innernet.Core.Sync;
using Innernet.Netlink.Route;
using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Client;

/// <summary>
/// One innernet interface as the client's <c>show</c> prints it: what WireGuard reports for the device, joined with the peer
/// cache (names, IPs, CIDRs) and the interface config (address, endpoint overrides).
/// </summary>
/// <param name="Name">The interface.</param>
/// <param name="ListenPort">WireGuard's listen port.</param>
/// <param name="Address">The interface address from the config, or null without a config.</param>
/// <param name="Peers">This peer (when its key is known) and every WireGuard peer, sorted by IP.</param>
/// <param name="Cidrs">The cached CIDRs.</param>
/// <param name="Now">When it was looked at.</param>
public sealed record InterfaceView(
    string Name,
    ushort ListenPort,
    InterfaceAddress? Address,
    IReadOnlyList<PeerRow> Peers,
    IReadOnlyList<Cidr> Cidrs,
    DateTimeOffset Now)
{
    /// <summary>The name of this peer's row when the cache does not hold it.</summary>
    public const string UnknownSelfName = "you";

    /// <summary>What the daemon (<c>up --daemon</c>) reports for this network, or null when none runs.</summary>
    public LiveStatus? Updates { get; init; }

    /// <summary>
    /// Joins the device with the cache and the config. This peer's key is the device's public key, else derived from the
    /// device's private key, else from the config's; its row comes first in IP order like any other, marked
    /// <see cref="PeerRow.IsYou"/> and always connected. A peer counts as connected after a handshake within
    /// <see cref="PeerDiff.RecentlyConnected"/>; a handshake at the Unix epoch (or none) is "never".
    /// </summary>
    /// <exception cref="InnernetException">WireGuard holds a peer the cache does not know (the cache is stale).</exception>
    public static InterfaceView Build(
        string name,
        WireGuardDevice device,
        IReadOnlyList<Peer> cached,
        IReadOnlyList<Cidr> cidrs,
        InterfaceConfig? config,
        DateTimeOffset now,
        LiveStatus? updates = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(cached);
        ArgumentNullException.ThrowIfNull(cidrs);
        var byKey = new Dictionary<WireGuardKey, Peer>();
        foreach (var peer in cached)
        {
            byKey[peer.PublicKey] = peer;
        }

        var ownKey = device.PublicKey
            ?? (device.PrivateKey is { } privateKey ? WireGuardKeys.GetPublicKey(privateKey) : (WireGuardKey?)null)
            ?? (config is null ? null : WireGuardKeys.GetPublicKey(config.Interface.PrivateKey));
        var overrides = config?.PeerEndpointOverrides ?? new Dictionary<IPAddress, Endpoint>();
        var rows = new List<PeerRow>();
        if (ownKey is { } own)
        {
            var me = byKey.GetValueOrDefault(own);
            var ip = me?.Ip ?? config?.Interface.Address.Address;
            if (ip is not null)
            {
                rows.Add(new PeerRow(
                    me?.Name ?? UnknownSelfName, ip, own, null, null, 0, 0, me?.CidrId, IsYou: true, Overridden: false, Connected: true));
            }
        }

        foreach (var peer in device.Peers)
        {
            if (!byKey.TryGetValue(peer.PublicKey, out var known))
            {
                throw new InnernetException(
                    $"interface {name} has a WireGuard peer ({peer.PublicKey.ToBase64()}) that is not in the peer cache; "
                    + $"run 'innernet fetch {name}'");
            }

            var handshake = peer.LastHandshake is { } h && h > DateTimeOffset.UnixEpoch ? h : (DateTimeOffset?)null;
            rows.Add(new PeerRow(
                known.Name, known.Ip, peer.PublicKey, peer.Endpoint, handshake, peer.ReceiveBytes, peer.TransmitBytes, known.CidrId,
                IsYou: false, overrides.ContainsKey(known.Ip), PeerDiff.IsRecentlyConnected(peer, now)));
        }

        rows.Sort((a, b) => IPAddressOrder.Instance.Compare(a.Ip, b.Ip));
        return new InterfaceView(name, device.ListenPort, config?.Interface.Address, rows, cidrs, now) { Updates = updates };
    }
}
