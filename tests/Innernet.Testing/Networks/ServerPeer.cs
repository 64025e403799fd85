using System.Net;

namespace Innernet.Testing.Networks;

/// <summary>A peer as <c>innernet-server list-peers --json</c> prints it (the API's shape).</summary>
public sealed record ServerPeer(long Id, string Name, IPAddress Ip, long CidrId, string PublicKey, bool IsAdmin, bool IsDisabled,
    bool IsRedeemed);
