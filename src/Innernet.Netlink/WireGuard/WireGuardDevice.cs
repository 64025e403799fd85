namespace Innernet.Netlink.WireGuard;

/// <summary>A WireGuard device's configuration and peers, merged across all reply messages.</summary>
public sealed class WireGuardDevice
{
    /// <summary>The interface name (at most 15 bytes).</summary>
    public required string Name { get; init; }

    /// <summary>The interface index, when the backend knows it (kernel); 0 otherwise.</summary>
    public int InterfaceIndex { get; init; }

    /// <summary>The private key, or null when the device has none.</summary>
    public WireGuardKey? PrivateKey { get; init; }

    /// <summary>The public key, or null when the device has no private key.</summary>
    public WireGuardKey? PublicKey { get; init; }

    /// <summary>The UDP listen port (0 when not listening or not reported).</summary>
    public ushort ListenPort { get; init; }

    /// <summary>The firewall mark on outgoing packets; 0 means none.</summary>
    public uint FirewallMark { get; init; }

    /// <summary>The peers, one per public key, in device order.</summary>
    public IReadOnlyList<WireGuardPeer> Peers { get; init; } = [];

    /// <summary>Which backend produced this view.</summary>
    public WireGuardBackend Backend { get; init; }
}
