using Innernet.Core;
using Innernet.Core.Model;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Innernet.Server.Api;

/// <summary>
/// Admin routes beyond innernet's API, for the server's own CLI on the local admin socket only; over TCP they
/// answer 404 like any path innernet does not know, so the network-facing API stays exactly innernet's.
/// </summary>
internal static class LocalAdminEndpoints
{
    public static RouteGroupBuilder MapLocalAdminEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/admin").AddEndpointFilter(async (context, next) =>
            context.HttpContext.GetCaller().IsLocalAdmin
                ? await next(context).ConfigureAwait(false)
                : TypedResults.NotFound());
        group.MapPost("/peers/{id:long}/reissue", ReissueAsync);
        group.MapPut("/server/endpoint", SetServerEndpointAsync);
        return group;
    }

    /// <summary>
    /// <c>innernet-server reissue-invite</c>: an unredeemed peer gets a new temporary key (<c>public_key</c>) and
    /// <c>invite_expires</c> from the body; the old key leaves WireGuard and the new one is added at once.
    /// </summary>
    public static async Task<JsonHttpResult<Peer>> ReissueAsync(long id, HttpContext context, ApiContext api)
    {
        var contents = await RequestBody.ReadJsonAsync<PeerContents>(context.Request).ConfigureAwait(false);
        var expires = contents.InviteExpires
            ?? throw new ValidationException("invite_expires: a re-issued invitation needs an expiry time.");
        var change = api.Store.ReissueInvitation(id, contents.PublicKey, expires);
        api.PeerSync.PeersRemoved([change.Before]);
        api.PeerSync.PeerAdded(change.After);
        return ApiResults.Json(change.After with { PersistentKeepaliveInterval = NetworkDefaults.PersistentKeepaliveSeconds });
    }

    /// <summary><c>innernet-server set-external-endpoint</c>: the server peer's endpoint, given to new invitees.</summary>
    public static async Task<NoContent> SetServerEndpointAsync(HttpContext context, ApiContext api)
    {
        var contents = await RequestBody.ReadJsonAsync<EndpointContents>(context.Request).ConfigureAwait(false);
        var endpoint = contents.Endpoint
            ?? throw new ValidationException("The server's external endpoint cannot be unset.");
        api.Store.SetServerEndpoint(endpoint);
        return TypedResults.NoContent();
    }
}
