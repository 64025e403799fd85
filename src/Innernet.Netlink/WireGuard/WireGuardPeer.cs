namespace Innernet.Netlink.WireGuard;

/// <summary>A peer as read back from a WireGuard device (kernel dump or UAPI <c>get</c>).</summary>
public sealed class WireGuardPeer
{
    /// <summary>The peer's public key (its identity on the device).</summary>
    public required WireGuardKey PublicKey { get; init; }

    /// <summary>The preshared key, or null when none is set (the device reports all zeros).</summary>
    public WireGuardKey? PresharedKey { get; init; }

    /// <summary>The current endpoint, or null when the peer has none yet.</summary>
    public IPEndPoint? Endpoint { get; init; }

    /// <summary>Wall-clock time of the last handshake, or null when there has been none.</summary>
    public DateTimeOffset? LastHandshake { get; init; }

    /// <summary>Bytes received from this peer.</summary>
    public ulong ReceiveBytes { get; init; }

    /// <summary>Bytes sent to this peer.</summary>
    public ulong TransmitBytes { get; init; }

    /// <summary>Persistent keepalive interval in seconds; 0 means disabled.</summary>
    public ushort PersistentKeepaliveInterval { get; init; }

    /// <summary>The peer's allowed IPs, masked, in device order.</summary>
    public IReadOnlyList<IPNetwork> AllowedIPs { get; init; } = [];

    /// <summary>The WireGuard protocol version reported by the device (1 today; 0 when not reported).</summary>
    public int ProtocolVersion { get; init; }
}
