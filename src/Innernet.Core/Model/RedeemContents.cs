using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Model;

/// <summary>Body of <c>POST /v1/user/redeem</c>: the invitee's new permanent public key.</summary>
public sealed record RedeemContents(WireGuardKey PublicKey);
