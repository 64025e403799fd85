using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Client;

/// <summary>One peer of an <see cref="InterfaceView"/>: cache data plus what WireGuard reports.</summary>
/// <param name="Name">The cached name.</param>
/// <param name="Ip">The overlay IP.</param>
/// <param name="PublicKey">The WireGuard key.</param>
/// <param name="Endpoint">The endpoint WireGuard reports, or null.</param>
/// <param name="LastHandshake">The last handshake, or null for never.</param>
/// <param name="ReceiveBytes">Bytes received from the peer.</param>
/// <param name="TransmitBytes">Bytes sent to the peer.</param>
/// <param name="CidrId">The peer's CIDR, or null when unknown (this peer not in the cache).</param>
/// <param name="IsYou">The row of this peer itself.</param>
/// <param name="Overridden">The config overrides the peer's endpoint locally.</param>
/// <param name="Connected">A recent handshake (always true for this peer).</param>
public sealed record PeerRow(
    string Name,
    IPAddress Ip,
    WireGuardKey PublicKey,
    IPEndPoint? Endpoint,
    DateTimeOffset? LastHandshake,
    ulong ReceiveBytes,
    ulong TransmitBytes,
    long? CidrId,
    bool IsYou,
    bool Overridden,
    bool Connected);
