using System.Globalization;
using Innernet.Core.Persistence;

namespace Innernet.Server.Api;

/// <summary>
/// Keeps every admin action in the audit log and the journal: each request to <c>/v1/admin/*</c> that may write (not
/// GET/HEAD), over TCP or the local admin socket. The request runs inside an <see cref="AuditScope"/>, so the entry is
/// committed in the same transaction as the action's change (one durable commit; a crash keeps both or neither); a
/// refused request changes nothing and records nothing. An admin write answered 2xx without changing the store (e.g.
/// deleting an association that does not exist) is recorded on its own just before the answer starts, so no caller
/// hears "done" of an action the log misses. Only method, path (with its ids), caller, source and status are kept: no
/// request body, so never a secret.
/// </summary>
/// <remarks>
/// The entry is written before the answer exists, so its status is the one the route answers on success
/// (<see cref="SuccessStatus"/>); an answer that ends otherwise is logged as a warning.
/// </remarks>
internal sealed class AuditMiddleware(RequestDelegate next)
{
    private const string AdminPrefix = "/v1/admin";
    private const string ReissueSuffix = "/reissue";

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)
            || !request.Path.StartsWithSegments(AdminPrefix, StringComparison.Ordinal)
            || context.Features.Get<ApiCaller>() is not { } caller)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var api = context.RequestServices.GetRequiredService<ApiContext>();
        string actor = caller.Peer is { } peer
            ? string.Create(CultureInfo.InvariantCulture, $"peer '{peer.Name}' (id {peer.Id})")
            : "local admin";
        string source = LocalAdminConnection.IsLocalAdmin(context)
            ? "admin socket"
            : context.Connection.RemoteIpAddress is { } remote ? SourceAddress.Normalize(remote).ToString() : "unknown";
        using var scope = AuditScope.Begin(api.Time.GetUtcNow(), actor, source, $"{request.Method} {request.Path}", SuccessStatus(request));
        context.Response.OnStarting(static state =>
        {
            var (http, api, scope) = ((HttpContext, ApiContext, AuditScope))state;
            Answered(http.Response.StatusCode, api, scope);
            return Task.CompletedTask;
        }, (context, api, scope));
        await next(context).ConfigureAwait(false);
    }

    /// <summary>
    /// What an admin write answers when it succeeds: a POST to a collection creates (201), a re-issue answers the new
    /// invitation (200), every other write answers 204.
    /// </summary>
    internal static int SuccessStatus(HttpRequest request)
    {
        if (HttpMethods.IsPost(request.Method))
        {
            string rest = request.Path.Value![AdminPrefix.Length..];
            if (rest.LastIndexOf('/') == 0)
            {
                return StatusCodes.Status201Created;
            }

            if (rest.EndsWith(ReissueSuffix, StringComparison.Ordinal))
            {
                return StatusCodes.Status200OK;
            }
        }

        return StatusCodes.Status204NoContent;
    }

    private static void Answered(int status, ApiContext api, AuditScope scope)
    {
        if (scope.Recorded is { } recorded)
        {
            ApiLog.Audited(api.Logger, recorded.Id, recorded.Actor, recorded.Source, recorded.Action, recorded.Status);
            if (status != recorded.Status)
            {
                ApiLog.AuditStatusDiffers(api.Logger, recorded.Id, recorded.Status, status);
            }
        }
        else if (status is >= 200 and <= 299)
        {
            var entry = api.Store.EnsureAudited(scope, status);
            ApiLog.Audited(api.Logger, entry.Id, entry.Actor, entry.Source, entry.Action, status);
        }
    }
}
