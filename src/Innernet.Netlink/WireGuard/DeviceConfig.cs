namespace Innernet.Netlink.WireGuard;

/// <summary>
/// A change to apply to a WireGuard device, on top of its current configuration: null leaves a
/// setting unchanged ("unset" is not "zero"). Mirrors <c>WG_CMD_SET_DEVICE</c> and UAPI <c>set=1</c>.
/// </summary>
public sealed class DeviceConfig
{
    /// <summary>New private key; <see cref="WireGuardKey.Zero"/> removes it; null leaves it.</summary>
    public WireGuardKey? PrivateKey { get; set; }

    /// <summary>New listen port; 0 picks a random port; null leaves it.</summary>
    public ushort? ListenPort { get; set; }

    /// <summary>New firewall mark; 0 disables it; null leaves it.</summary>
    public uint? FirewallMark { get; set; }

    /// <summary>Remove every existing peer before applying <see cref="Peers"/>.</summary>
    public bool ReplacePeers { get; set; }

    /// <summary>Per-peer changes, applied in order.</summary>
    public IList<PeerConfig> Peers { get; init; } = new List<PeerConfig>();
}
