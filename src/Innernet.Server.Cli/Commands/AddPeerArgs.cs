namespace Innernet.Server.Commands;

/// <summary>The flags of <c>add-peer</c>; null = ask.</summary>
internal sealed record AddPeerArgs(
    string Interface,
    string? Name,
    string? Ip,
    bool AutoIp,
    string? Cidr,
    bool? Admin,
    string? InviteExpires,
    string? SaveConfig,
    bool Yes);
