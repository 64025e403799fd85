using System.Text.Json.Serialization;
using Innernet.Core.Contracts;
using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Model;

/// <summary>Body of <c>POST /v1/user/redeem</c>: the invitee's new permanent public key.</summary>
public sealed record RedeemContents(
    [property: JsonConverter(typeof(WireGuardKeyJsonConverter))] WireGuardKey PublicKey);
