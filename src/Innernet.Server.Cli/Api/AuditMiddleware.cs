using System.Globalization;

namespace Innernet.Server.Api;

/// <summary>
/// Keeps every admin action in the audit log (<see cref="Core.Persistence.ServerStore.AppendAudit"/>) and the journal:
/// each request to <c>/v1/admin/*</c> that may write (not GET/HEAD) and is answered 2xx, over TCP or the local admin
/// socket. The entry is made durable just before the response starts, so no caller hears "done" of an action the
/// log misses; a crash between the action's commit and that moment can lose the entry (never the action). Only
/// method, path (with its ids), caller, source and status are kept: no request body, so never a secret.
/// </summary>
internal sealed class AuditMiddleware(RequestDelegate next)
{
    private const string AdminPrefix = "/v1/admin";

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)
            || !request.Path.StartsWithSegments(AdminPrefix, StringComparison.Ordinal))
        {
            return next(context);
        }

        context.Response.OnStarting(static state =>
        {
            var http = (HttpContext)state;
            var api = http.RequestServices.GetRequiredService<ApiContext>();
            Record(http, api);
            return Task.CompletedTask;
        }, context);
        return next(context);
    }

    private static void Record(HttpContext context, ApiContext api)
    {
        int status = context.Response.StatusCode;
        if (status is < 200 or > 299 || context.Features.Get<ApiCaller>() is not { } caller)
        {
            return;
        }

        string actor = caller.Peer is { } peer ? string.Create(CultureInfo.InvariantCulture, $"peer '{peer.Name}' (id {peer.Id})") : "local admin";
        string source = LocalAdminConnection.IsLocalAdmin(context)
            ? "admin socket"
            : context.Connection.RemoteIpAddress is { } remote ? SourceAddress.Normalize(remote).ToString() : "unknown";
        string action = $"{context.Request.Method} {context.Request.Path}";
        var entry = api.Store.AppendAudit(api.Time.GetUtcNow(), actor, source, action, status);
        ApiLog.Audited(api.Logger, entry.Id, actor, source, action, status);
    }
}
