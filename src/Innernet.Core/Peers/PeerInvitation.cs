using Innernet.Core.Model;
using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Peers;

/// <summary>The peer an invitation creates (innernet's <c>add-peer</c>, from the server CLI or an admin client).</summary>
public static class PeerInvitation
{
    /// <summary>
    /// An unredeemed peer under the invitation's temporary key (replaced when the invitee redeems it), with
    /// innernet's keepalive and the invitation's expiry.
    /// </summary>
    public static PeerContents Contents(
        string name, IPAddress ip, long cidrId, WireGuardKey temporaryPublicKey, bool isAdmin, DateTimeOffset expires)
        => new()
        {
            Name = name,
            Ip = ip,
            CidrId = cidrId,
            PublicKey = temporaryPublicKey,
            PersistentKeepaliveInterval = NetworkDefaults.PersistentKeepaliveSeconds,
            IsAdmin = isAdmin,
            IsRedeemed = false,
            InviteExpires = expires,
        };
}
