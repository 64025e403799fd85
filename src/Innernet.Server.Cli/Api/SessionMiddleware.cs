using Innernet.Core;
using Innernet.Netlink.WireGuard;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;

namespace Innernet.Server.Api;

/// <summary>
/// innernet's session step, run for every <c>/v1</c> request BEFORE routing, so an unknown path
/// under <c>/v1</c> is 401 without valid auth and 404 with it:
/// <list type="number">
/// <item><c>X-Innernet-Server-Key</c> must be the server's public key (constant-time compare).</item>
/// <item>The caller is the peer whose overlay IP is the TCP source address (forwarding headers are ignored);
/// unknown or disabled → 401. Requests on the local admin socket are the local root admin instead.</item>
/// <item><c>/v1/admin/*</c> needs an admin-capable caller (checked before the admin routes, as innernet does).</item>
/// <item>innernet matches paths exactly: segments are case-sensitive, not percent-decoded, and an empty
/// segment (trailing slash) matches nothing: such paths are 404 here, before the lenient ASP.NET router.</item>
/// </list>
/// Paths outside <c>/v1</c> are 404 without authentication.
/// </summary>
internal sealed class SessionMiddleware(RequestDelegate next, ApiContext api)
{
    public const string ServerKeyHeader = "X-Innernet-Server-Key";

    private const string ApiVersionSegment = "v1";
    private const string AdminSegment = "admin";

    public Task InvokeAsync(HttpContext context)
    {
        string path = RawPath(context);
        string[] segments = path.Length > 0 && path[0] == '/' ? path[1..].Split('/') : [];
        if (segments.Length == 0 || segments[0] != ApiVersionSegment)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        var caller = Authenticate(context);
        context.Features.Set(caller);

        if (segments.Length > 1 && segments[1] == AdminSegment && !caller.IsAdminCapable)
        {
            throw new UnauthorizedException($"{caller.Name} is not an admin (or has not redeemed its invitation).");
        }

        if (!segments.All(IsRoutableSegment))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        return next(context);
    }

    private ApiCaller Authenticate(HttpContext context)
    {
        if (LocalAdminConnection.IsLocalAdmin(context))
        {
            return ApiCaller.LocalAdmin;
        }

        var header = context.Request.Headers[ServerKeyHeader];
        if (header.Count == 0)
        {
            throw new UnauthorizedException($"The {ServerKeyHeader} header is missing.");
        }

        // One header only; the key is checked in constant time (WireGuardKey equality).
        if (header.Count != 1 || !WireGuardKey.TryParse(header[0], out var key) || !key.Equals(api.ServerPublicKey))
        {
            throw new UnauthorizedException($"The {ServerKeyHeader} header is not this server's public key.");
        }

        // Only the TCP source address identifies the caller: Forwarded, X-Forwarded-For and X-Real-IP are ignored.
        var remote = SourceAddress.Normalize(context.Connection.RemoteIpAddress
            ?? throw new UnauthorizedException("The connection has no remote IP address."));
        var peer = api.Store.GetPeerByIp(remote)
            ?? throw new UnauthorizedException($"No peer has the source address {remote}.");
        if (peer.IsDisabled)
        {
            throw new UnauthorizedException($"Peer {peer} is disabled.");
        }

        api.PeerSync.PeerContacted(peer);
        return ApiCaller.ForPeer(peer);
    }

    /// <summary>The request path exactly as sent (not percent-decoded, dot segments kept), without the query.</summary>
    private static string RawPath(HttpContext context)
    {
        string? raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw) || raw[0] != '/')
        {
            // Absolute-form or asterisk-form targets: fall back to the decoded path.
            return context.Request.Path.Value ?? string.Empty;
        }

        int query = raw.IndexOfAny(['?', '#']);
        return query < 0 ? raw : raw[..query];
    }

    /// <summary>
    /// Every innernet route segment is lowercase ASCII letters or an i64 (digits, optional sign). Anything else
    /// (empty, upper case, percent-escapes, dots) matches no innernet route.
    /// </summary>
    private static bool IsRoutableSegment(string segment)
        => segment.Length > 0 && segment.All(static c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '+');
}
