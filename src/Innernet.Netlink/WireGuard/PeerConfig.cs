namespace Innernet.Netlink.WireGuard;

/// <summary>A change to one peer, identified by its public key. Null leaves a setting unchanged.</summary>
public sealed class PeerConfig
{
    /// <summary>The peer's public key.</summary>
    public required WireGuardKey PublicKey { get; init; }

    /// <summary>Remove the peer (no-op when absent); every other setting is ignored.</summary>
    public bool Remove { get; set; }

    /// <summary>Only change the peer if it already exists; never create it.</summary>
    public bool UpdateOnly { get; set; }

    /// <summary>New preshared key; <see cref="WireGuardKey.Zero"/> removes it; null leaves it.</summary>
    public WireGuardKey? PresharedKey { get; set; }

    /// <summary>New endpoint (IPv4 or IPv6); null leaves it.</summary>
    public IPEndPoint? Endpoint { get; set; }

    /// <summary>New persistent keepalive interval in seconds; 0 disables it; null leaves it.</summary>
    public ushort? PersistentKeepaliveInterval { get; set; }

    /// <summary>Clear the peer's allowed IPs before adding <see cref="AllowedIPs"/>.</summary>
    public bool ReplaceAllowedIPs { get; set; }

    /// <summary>Allowed IPs to add (masked prefixes).</summary>
    public IList<IPNetwork> AllowedIPs { get; init; } = new List<IPNetwork>();

    /// <summary>
    /// Allowed IPs to remove from this peer (masked prefixes), before <see cref="AllowedIPs"/> are added; a prefix the
    /// peer does not have is ignored. Where the backend removes single allowed IPs (Linux 6.16+
    /// <c>WGALLOWEDIP_F_REMOVE_ME</c>, UAPI <c>allowed_ip=-</c>; probed once per backend or device) this is what is
    /// sent; otherwise the client reads the peer's allowed IPs and replaces them with the resulting list (not atomic:
    /// another writer between the read and the write can be overwritten). Ignored when the peer is removed.
    /// </summary>
    public IList<IPNetwork> RemoveAllowedIPs { get; init; } = new List<IPNetwork>();
}
