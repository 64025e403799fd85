using Innernet.Netlink.WireGuard;

namespace Innernet.Client.Commands;

/// <summary>One peer line of <c>show</c>: cache data plus what WireGuard reports.</summary>
internal sealed record PeerRow(
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
