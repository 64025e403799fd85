namespace Innernet.Netlink.Uapi;

/// <summary>
/// The key names of the cross-platform WireGuard UAPI (wireguard-go <c>device/uapi.go</c>,
/// https://www.wireguard.com/xplatform/), as written on the wire.
/// </summary>
internal static class UapiKey
{
    /// <summary>Operation line that starts a get request.</summary>
    public const string Get = "get";

    /// <summary>Operation line that starts a set request.</summary>
    public const string Set = "set";

    /// <summary>Last line of every reply: 0 or a (negative) errno.</summary>
    public const string Errno = "errno";

    /// <summary>Device private key, 64 hex digits.</summary>
    public const string PrivateKey = "private_key";

    /// <summary>Device UDP listen port.</summary>
    public const string ListenPort = "listen_port";

    /// <summary>Device firewall mark.</summary>
    public const string FirewallMark = "fwmark";

    /// <summary>Remove all peers (set only, value <c>true</c>).</summary>
    public const string ReplacePeers = "replace_peers";

    /// <summary>Starts (or switches to) a peer context.</summary>
    public const string PublicKey = "public_key";

    /// <summary>Remove the current peer (set only, value <c>true</c>).</summary>
    public const string Remove = "remove";

    /// <summary>Do not create the current peer (set only, value <c>true</c>).</summary>
    public const string UpdateOnly = "update_only";

    /// <summary>Peer preshared key, 64 hex digits; all zeros means none.</summary>
    public const string PresharedKey = "preshared_key";

    /// <summary>Peer endpoint, <c>IPv4:port</c> or <c>[IPv6]:port</c>.</summary>
    public const string Endpoint = "endpoint";

    /// <summary>Peer persistent keepalive interval in seconds; 0 disables it.</summary>
    public const string PersistentKeepaliveInterval = "persistent_keepalive_interval";

    /// <summary>Clear the current peer's allowed IPs (set only, value <c>true</c>).</summary>
    public const string ReplaceAllowedIPs = "replace_allowed_ips";

    /// <summary>One allowed IP prefix, repeatable.</summary>
    public const string AllowedIP = "allowed_ip";

    /// <summary>Peer protocol version (1).</summary>
    public const string ProtocolVersion = "protocol_version";

    /// <summary>Seconds part of the last handshake time (get only); 0 means none.</summary>
    public const string LastHandshakeTimeSec = "last_handshake_time_sec";

    /// <summary>Nanoseconds part of the last handshake time (get only).</summary>
    public const string LastHandshakeTimeNsec = "last_handshake_time_nsec";

    /// <summary>Bytes sent to the peer (get only).</summary>
    public const string TransmitBytes = "tx_bytes";

    /// <summary>Bytes received from the peer (get only).</summary>
    public const string ReceiveBytes = "rx_bytes";

    /// <summary>The value of every boolean set key.</summary>
    public const string True = "true";
}
