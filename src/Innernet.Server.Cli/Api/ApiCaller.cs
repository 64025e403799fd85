using Innernet.Core.Model;

namespace Innernet.Server.Api;

/// <summary>
/// Who sent a <c>/v1</c> request (innernet's <c>Session</c>): a peer found by the TCP source address, or the
/// local root admin on the admin Unix socket. Resolved once per request, before routing.
/// </summary>
internal sealed class ApiCaller
{
    private ApiCaller(Peer? peer) => Peer = peer;

    /// <summary>The local root admin (the server's own CLI through the admin socket).</summary>
    public static ApiCaller LocalAdmin { get; } = new(null);

    /// <summary>The calling peer as stored when the request arrived; null for <see cref="LocalAdmin"/>.</summary>
    public Peer? Peer { get; }

    /// <summary>True for requests on the local admin socket.</summary>
    public bool IsLocalAdmin => Peer is null;

    /// <summary>innernet's <c>user_capable</c>: enabled and redeemed.</summary>
    public bool IsUserCapable => Peer is { IsDisabled: false, IsRedeemed: true };

    /// <summary>innernet's <c>admin_capable</c>: an admin peer that is user-capable, or the local root admin.</summary>
    public bool IsAdminCapable => IsLocalAdmin || (IsUserCapable && Peer!.IsAdmin);

    /// <summary>innernet's <c>redeemable</c>: enabled and not redeemed yet.</summary>
    public bool IsRedeemable => Peer is { IsDisabled: false, IsRedeemed: false };

    /// <summary>
    /// May call <c>/v1/user/redeem</c>: redeemable, or redeemed already, because an invitee whose answer was lost
    /// repeats the redeem with the same key (the store answers a different key with 410).
    /// </summary>
    public bool MayRedeem => IsRedeemable || IsUserCapable;

    /// <summary>For the request log: the peer's name, or "local-admin".</summary>
    public string Name => Peer?.Name ?? "local-admin";

    public static ApiCaller ForPeer(Peer peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        return new ApiCaller(peer);
    }

    /// <summary>The calling peer; the user endpoints are never reached by the local admin.</summary>
    /// <exception cref="Core.UnauthorizedException">The caller is the local admin.</exception>
    public Peer RequirePeer()
        => Peer ?? throw new Core.UnauthorizedException("The local admin socket serves only /v1/admin.");
}
