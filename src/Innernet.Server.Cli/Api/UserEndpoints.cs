using System.Net;
using Innernet.Core;
using Innernet.Core.Model;
using Endpoint = Innernet.Core.Model.Endpoint;
using Microsoft.AspNetCore.Http.HttpResults;
using Innernet.Server.Api.Live;

namespace Innernet.Server.Api;

/// <summary><c>/v1/user/*</c>: what every peer may call about itself.</summary>
internal static class UserEndpoints
{
    /// <summary>
    /// What <c>GET /v1/user/capabilities</c> announces: innernet 1.7's flag and the live state stream. innernet's
    /// client reads this body into a serde struct without <c>deny_unknown_fields</c> (innernet's <c>shared</c> crate,
    /// <c>ServerCapabilities</c>), so the extra <c>state_stream</c> field is ignored there.
    /// </summary>
    public static readonly ServerCapabilities Capabilities = new(
        UnspecifiedIpInOverrideEndpoint: true, StateStream: ServerCapabilities.StateStreamVersion);

    public static RouteGroupBuilder MapUserEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/user");
        group.MapGet("/state", GetState).RequireCaller(c => c.IsUserCapable);
        group.MapGet(StateStreamEndpoint.Path, StateStreamEndpoint.StreamAsync).RequireCaller(c => c.IsUserCapable);
        group.MapGet("/capabilities", GetCapabilities).RequireCaller(c => !c.IsLocalAdmin);
        group.MapPost("/redeem", RedeemAsync).RequireCaller(c => c.MayRedeem);
        group.MapPost("/rotate-key", RotateKeyAsync).RequireCaller(c => c.IsUserCapable).RequireRateLimiting(PeerWriteLimit.Policy);
        group.MapPut("/endpoint", SetEndpointAsync).RequireCaller(c => c.IsUserCapable).RequireRateLimiting(PeerWriteLimit.Policy);
        group.MapPut("/candidates", SetCandidatesAsync).RequireCaller(c => c.IsUserCapable).RequireRateLimiting(PeerWriteLimit.Policy);
        return group;
    }

    /// <summary>
    /// The peers the caller may see with observed endpoints injected, and every CIDR: the same bytes
    /// for every peer of the caller's CIDR, serialized once per change (<see cref="ResponseBodies.UserState"/>). The live
    /// replicas' endpoints go in a header (also on a 304), so the body and its <c>ETag</c> are the same on every replica.
    /// </summary>
    public static Utf8JsonResult GetState(HttpContext context, ApiContext api)
    {
        var peer = context.GetCaller().RequirePeer();
        api.Replicas.Announce(context.Response);
        return new Utf8JsonResult(api.Responses.UserState(peer.CidrId));
    }

    public static JsonHttpResult<ServerCapabilities> GetCapabilities() => ApiResults.Json(Capabilities);

    /// <summary>
    /// Swaps the invitation's temporary key for the invitee's permanent one, once. Unlike innernet the key is
    /// checked: 32 bytes of base64, not zero, not the server's, not the temporary key, not
    /// another peer's. The server's WireGuard interface follows 5 s later (<see cref="IPeerSync.PeerRedeemed"/>).
    /// A repeat with the key already redeemed is 204 again and changes nothing: the invitee may have lost the first
    /// answer, and its key must not be burnt by that.
    /// </summary>
    public static async Task<NoContent> RedeemAsync(HttpContext context, ApiContext api)
    {
        var peer = context.GetCaller().RequirePeer();
        var contents = await RequestBody.ReadJsonAsync<RedeemContents>(context.Request).ConfigureAwait(false);
        if (contents.PublicKey.Equals(api.ServerPublicKey))
        {
            throw new ValidationException("public_key: this is the server's own key.");
        }

        if (!peer.IsRedeemed && contents.PublicKey.Equals(peer.PublicKey))
        {
            throw new ValidationException(
                "public_key: this is the invitation's temporary key; redeeming needs a newly generated key.");
        }

        var change = api.Store.Redeem(peer.Id, contents.PublicKey, api.Time.GetUtcNow());
        if (change.Before.IsRedeemed)
        {
            ApiLog.RedeemRepeated(api.Logger, change.After.Name);
            return TypedResults.NoContent();
        }

        ApiLog.Redeemed(api.Logger, change.After.Name);
        api.PeerSync.PeerRedeemed(change.Before, change.After);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Rotates the caller's own key (an extension to innernet, whose server answers 404): the caller is the peer whose
    /// tunnel address the request came from, and the body's step must be signed by its current key
    /// (<see cref="Core.Persistence.ServerStore.RotateKey"/> checks it all). Every client moves its pin only along that
    /// signature. The old key stays on WireGuard for the transition wait, as after a redeem, so this answer still
    /// reaches the caller. A repeat of the step already applied is 204 again and changes nothing.
    /// </summary>
    public static async Task<NoContent> RotateKeyAsync(HttpContext context, ApiContext api)
    {
        var peer = context.GetCaller().RequirePeer();
        var contents = await RequestBody.ReadJsonAsync<RotateKeyContents>(context.Request).ConfigureAwait(false);
        var change = api.Store.RotateKey(peer.Id, contents.Rotation ?? throw new ValidationException("rotation: missing."));
        if (ReferenceEquals(change.Before, change.After))
        {
            ApiLog.KeyRotationRepeated(api.Logger, change.After.Name);
            return TypedResults.NoContent();
        }

        ApiLog.KeyRotated(api.Logger, change.After.Name, change.After.KeyRotations[^1].Generation);
        api.PeerSync.PeerRedeemed(change.Before, change.After);
        return TypedResults.NoContent();
    }

    /// <summary>Sets or clears the caller's endpoint override (an unspecified IP means "observed IP, this port").</summary>
    public static async Task<NoContent> SetEndpointAsync(HttpContext context, ApiContext api)
    {
        var peer = context.GetCaller().RequirePeer();
        var contents = await RequestBody.ReadJsonAsync<EndpointContents>(context.Request).ConfigureAwait(false);
        api.Store.SetEndpoint(peer.Id, contents.Endpoint);
        return TypedResults.NoContent();
    }

    /// <summary>Replaces the caller's NAT-traversal candidates; more than 10 is 413 (as innernet).</summary>
    public static async Task<Results<NoContent, StatusCodeHttpResult>> SetCandidatesAsync(HttpContext context, ApiContext api)
    {
        var peer = context.GetCaller().RequirePeer();
        var candidates = await RequestBody.ReadJsonAsync<List<Endpoint>>(context.Request).ConfigureAwait(false);
        if (candidates.Count > NetworkDefaults.MaxCandidates)
        {
            return TypedResults.StatusCode(StatusCodes.Status413PayloadTooLarge);
        }

        api.Store.SetCandidates(peer.Id, candidates);
        return TypedResults.NoContent();
    }
}
