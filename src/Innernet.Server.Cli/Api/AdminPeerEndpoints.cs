using Innernet.Core;
using Innernet.Core.Model;
using Innernet.Core.Persistence;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Innernet.Server.Api;

/// <summary>
/// <c>/v1/admin/peers</c>. The session step already required an admin-capable caller. Unlike
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
        group.MapPost("/{id:long}/delete", Delete);
        routes.MapGet("/v1/admin/reserved-ips", ListReservedIps).RequireCaller(c => c.IsAdminCapable);
        routes.MapGet("/v1/admin/audit", ListAudit).RequireCaller(c => c.IsAdminCapable);
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
        return ApiResults.Created(peer with { PersistentKeepaliveInterval = NetworkDefaults.PersistentKeepaliveSeconds });
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

    /// <summary>
    /// Deletes a peer for good (beyond innernet, whose <c>DELETE</c> only disables; a separate path, so that an innernet
    /// server answers 404 instead of silently disabling): its row goes, its name is free, its IP stays reserved for
    /// <see cref="ReservedIp.DefaultPeriod"/> unless <c>?release_ip=true</c>, and its key leaves WireGuard at once.
    /// </summary>
    public static NoContent Delete(long id, [FromQuery(Name = "release_ip")] bool? releaseIp, HttpContext context, ApiContext api)
    {
        var caller = context.GetCaller();
        DateTimeOffset? until = releaseIp == true ? null : api.Time.GetUtcNow() + ReservedIp.DefaultPeriod;
        Peer deleted;
        lock (api.PeerStateGate)
        {
            deleted = api.Store.DeletePeer(id, until);
        }

        ApiLog.PeerDeleted(api.Logger, deleted.ToString(), caller.Name, until is null ? "released" : "reserved");
        api.PeerSync.PeersRemoved([deleted]);
        return TypedResults.NoContent();
    }

    /// <summary>The IPs of deleted peers that new peers may not take yet (so that a client picking an IP can skip them).</summary>
    public static JsonHttpResult<IReadOnlyList<ReservedIp>> ListReservedIps(ApiContext api) => ApiResults.Json(api.Store.ListReservedIps());

    /// <summary>The audit log (<see cref="AuditMiddleware"/>), from <c>?since=&lt;unix seconds&gt;</c> on, oldest first.</summary>
    public static JsonHttpResult<IReadOnlyList<AuditEntry>> ListAudit([FromQuery(Name = "since")] long? since, ApiContext api)
        => ApiResults.Json(api.Store.ListAudit(since is { } s ? DateTimeOffset.FromUnixTimeSeconds(s) : null));

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
