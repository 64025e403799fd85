using System.Linq;

namespace Innernet.Netlink.WireGuard;

/// <summary>
/// <see cref="PeerConfig.RemoveAllowedIPs"/> for every backend: the probe that finds out whether a backend removes
/// single allowed IPs, and the fallback that folds the removals into a replace-all list (read-modify-write).
/// </summary>
internal static class AllowedIPRemoval
{
    /// <summary>Documentation prefixes; the probe removes the first one no peer of the device has.</summary>
    private static readonly IPNetwork[] ProbePrefixes =
    [
        IPNetwork.Parse("192.0.2.255/32"), IPNetwork.Parse("198.51.100.255/32"), IPNetwork.Parse("2001:db8::ffff/128"),
    ];

    /// <summary>True when a peer that is not being removed has allowed IPs to remove.</summary>
    public static bool IsNeeded(DeviceConfig config) =>
        config.Peers is { } peers && peers.Any(p => p is { Remove: false, RemoveAllowedIPs.Count: > 0 });

    /// <summary>
    /// The probe's way to apply a change with <paramref name="set"/>: false when the backend refused it as invalid
    /// (<c>EINVAL</c>: the kernel before 6.16 does not know <c>WGALLOWEDIP_A_FLAGS</c>; an older wireguard-go cannot
    /// parse <c>allowed_ip=-</c>).
    /// </summary>
    public static Func<DeviceConfig, bool> RefusalAsFalse(Action<DeviceConfig> set) => change =>
    {
        try
        {
            set(change);
            return true;
        }
        catch (NetlinkException e) when (e.Errno == Errno.EINVAL)
        {
            return false;
        }
    };

    /// <summary>
    /// <paramref name="config"/> as it can be sent: unchanged when the backend removes single allowed IPs
    /// (<paramref name="supported"/>, probed here when still null), else rewritten (<see cref="Rewrite"/>).
    /// </summary>
    public static DeviceConfig Prepare(
        DeviceConfig config, ref bool? supported, Func<DeviceConfig, bool> tryApply, Func<WireGuardDevice?> read, Func<Exception> noDevice)
    {
        if (supported == true || !IsNeeded(config))
        {
            return config;
        }

        WireGuardDevice device = read() ?? throw noDevice();
        if (supported is null)
        {
            supported = Probe(config, device, tryApply, read);
            if (supported == true)
            {
                return config;
            }
        }

        return Rewrite(config, device);
    }

    /// <summary>
    /// Asks the backend to remove, from a peer of <paramref name="config"/> that is already on the device, a prefix
    /// no peer has (update-only, nothing else), then reads the peer back. True: removal is supported; false: the
    /// change was refused (<paramref name="tryApply"/> returned false) or the prefix was added instead of removed
    /// (then it is taken out again); null: no such peer, so there is nothing to probe with (and nothing to remove).
    /// </summary>
    public static bool? Probe(
        DeviceConfig config, WireGuardDevice device, Func<DeviceConfig, bool> tryApply, Func<WireGuardDevice?> read)
    {
        var onDevice = device.Peers.Select(p => p.PublicKey).ToHashSet();
        PeerConfig? target = config.Peers.FirstOrDefault(p =>
            p is { Remove: false, RemoveAllowedIPs.Count: > 0 } && onDevice.Contains(p.PublicKey));
        var used = device.Peers.SelectMany(p => p.AllowedIPs).ToHashSet();
        IPNetwork? prefix = ProbePrefixes.Where(p => !used.Contains(p)).Cast<IPNetwork?>().FirstOrDefault();
        if (target is null || prefix is not { } probe)
        {
            return null;
        }

        var change = new DeviceConfig
        {
            Peers = [new PeerConfig { PublicKey = target.PublicKey, UpdateOnly = true, RemoveAllowedIPs = [probe] }],
        };
        if (!tryApply(change))
        {
            return false;
        }

        WireGuardPeer? after = read()?.Peers.FirstOrDefault(p => p.PublicKey == target.PublicKey);
        if (after is not null && after.AllowedIPs.Contains(probe))
        {
            tryApply(new DeviceConfig
            {
                Peers = [new PeerConfig
                {
                    PublicKey = target.PublicKey,
                    UpdateOnly = true,
                    ReplaceAllowedIPs = true,
                    AllowedIPs = after.AllowedIPs.Where(a => a != probe).ToList(),
                }],
            });
            return false;
        }

        return true;
    }

    /// <summary>
    /// The fallback: a copy of <paramref name="config"/> in which every peer with removals instead replaces its allowed
    /// IPs with (its list on <paramref name="device"/> minus the removals) plus its additions. A peer the device does
    /// not have (or whose list the change clears anyway) keeps only its additions.
    /// </summary>
    public static DeviceConfig Rewrite(DeviceConfig config, WireGuardDevice device)
    {
        var current = device.Peers.ToDictionary(p => p.PublicKey, p => p.AllowedIPs);
        var peers = new List<PeerConfig>(config.Peers.Count);
        foreach (PeerConfig peer in config.Peers)
        {
            if (peer is not { Remove: false, RemoveAllowedIPs.Count: > 0 })
            {
                peers.Add(peer);
                continue;
            }

            bool cleared = config.ReplacePeers || peer.ReplaceAllowedIPs || !current.ContainsKey(peer.PublicKey);
            List<IPNetwork> allowed = cleared
                ? [.. peer.AllowedIPs]
                : [.. current[peer.PublicKey].Except(peer.RemoveAllowedIPs).Union(peer.AllowedIPs)];
            peers.Add(new PeerConfig
            {
                PublicKey = peer.PublicKey,
                UpdateOnly = peer.UpdateOnly,
                PresharedKey = peer.PresharedKey,
                Endpoint = peer.Endpoint,
                PersistentKeepaliveInterval = peer.PersistentKeepaliveInterval,
                ReplaceAllowedIPs = peer.ReplaceAllowedIPs || !cleared,
                AllowedIPs = allowed,
            });
        }

        return new DeviceConfig
        {
            PrivateKey = config.PrivateKey,
            ListenPort = config.ListenPort,
            FirewallMark = config.FirewallMark,
            ReplacePeers = config.ReplacePeers,
            Peers = peers,
        };
    }
}
