using Innernet.Core;
using Innernet.Core.Model;
using Innernet.Core.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Innernet.Server.Api;

/// <summary>
/// <c>/v1/admin/peers</c> (spec §3.3). The session step already required an admin-capable caller. Unlike
/// innernet, enabling and disabling reach the server's WireGuard interface at once, the server peer cannot be
/// disabled, and values that only echo the endpoint injection are not persisted.
/// </summary>
internal static class AdminPeerEndpoints
{
    public static RouteGroupBuilder MapAdminPeerEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/v1/admin/peers").RequireCaller(c => c.IsAdminCapable);
        group.MapGet("", List);
        group.MapPost("", CreateAsync);
        group.MapPut("/{id:long}", UpdateAsync);
        group.MapDelete("/{id:long}", Disable);
        return group;
    }

    /// <summary>
    /// Every peer, disabled and unredeemed ones included, in id order, endpoints injected; serialized once per
    /// change (<see cref="ResponseBodies.AdminPeers"/>).
    /// </summary>
    public static Utf8JsonResult List(ApiContext api) => new(api.Responses.AdminPeers());

    /// <summary>Creates a peer (validated by the store) and adds it to the server's WireGuard interface.</summary>
    public static async Task<JsonHttpResult<Peer>> CreateAsync(HttpContext context, ApiContext api)
    {
        var contents = await RequestBody.ReadJsonAsync<PeerContents>(context.Request).ConfigureAwait(false);
        var peer = api.Store.AddPeer(contents);
        api.PeerSync.PeerAdded(peer);
        return ApiResults.Created(peer with { PersistentKeepaliveInterval = EndpointInjection.PersistentKeepaliveSeconds });
    }

    /// <summary>Applies name, endpoint, is_admin, is_disabled and candidates; the other fields are ignored.</summary>
    public static async Task<NoContent> UpdateAsync(long id, HttpContext context, ApiContext api)
    {
        if (api.Store.GetPeer(id) is null)
        {
            throw new NotFoundException($"Peer {id} does not exist.");
        }

        var contents = await RequestBody.ReadJsonAsync<PeerContents>(context.Request).ConfigureAwait(false);
        var caller = context.GetCaller();
        lock (api.PeerStateGate)
        {
            var stored = api.Store.GetPeer(id) ?? throw new NotFoundException($"Peer {id} does not exist.");
            var update = EndpointInjection.WithoutEchoes(stored, PeerUpdate.From(contents), api.PeerSync);
            if (update.IsDisabled && !stored.IsDisabled)
            {
                RefuseServerPeer(id, caller, api);
            }

            var updated = api.Store.UpdatePeer(id, update);
            if (updated.IsDisabled != stored.IsDisabled)
            {
                EnabledChanged(updated, caller, api);
            }
        }

        return TypedResults.NoContent();
    }

    /// <summary>innernet's "delete": disables the peer (and removes it from the server's WireGuard interface).</summary>
    public static NoContent Disable(long id, HttpContext context, ApiContext api)
    {
        var caller = context.GetCaller();
        lock (api.PeerStateGate)
        {
            var stored = api.Store.GetPeer(id) ?? throw new NotFoundException($"Peer {id} does not exist.");
            RefuseServerPeer(id, caller, api);
            var updated = api.Store.SetDisabled(id, true);
            if (!stored.IsDisabled)
            {
                EnabledChanged(updated, caller, api);
            }
        }

        return TypedResults.NoContent();
    }

    private static void RefuseServerPeer(long id, ApiCaller caller, ApiContext api)
    {
        if (id == Peer.ServerId)
        {
            ApiLog.ServerPeerDisableRefused(api.Logger, caller.Name);
            throw new ValidationException("The server peer (id 1) cannot be disabled.");
        }
    }

    private static void EnabledChanged(Peer peer, ApiCaller caller, ApiContext api)
    {
        ApiLog.PeerEnabledChanged(api.Logger, peer.ToString(), peer.IsDisabled ? "disabled" : "enabled", caller.Name);
        api.PeerSync.PeerEnabledChanged(peer);
    }
}
