using Microsoft.Net.Http.Headers;

namespace Innernet.Server.Api;

/// <summary>
/// An already serialized JSON answer (<see cref="ResponseBodies"/>) with its <c>ETag</c>: 200 with
/// <c>Content-Type: application/json</c>, <c>Content-Length</c> and the bytes as they are; or 304 with the
/// <c>ETag</c> and no body when the request's <c>If-None-Match</c> names this tag (weak comparison) or is <c>*</c>.
/// A request without <c>If-None-Match</c> (innernet's client never sends one) always gets the 200.
/// </summary>
internal sealed class Utf8JsonResult(ResponseBody body) : IResult
{
    /// <summary>Bytes handed to Kestrel per write (its response buffer before a flush waits is 64 KiB).</summary>
    private const int WriteSlice = 64 * 1024;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        response.Headers.ETag = body.EntityTag;
        if (NotModified(httpContext.Request))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ApiResults.JsonContentType;
        response.ContentLength = body.Bytes.Length;
        // In slices, each write awaiting its flush: Kestrel copies whatever it is given into blocks of its memory pool before
        // the flush waits for the client, so a whole body at once would hold its size in pooled blocks per connection
        // while the client reads it (2.6 MiB for a full view of 10,000 peers), blocks the pool then holds for reuse.
        for (int at = 0; at < body.Bytes.Length; at += WriteSlice)
        {
            var slice = body.Bytes.AsMemory(at, Math.Min(WriteSlice, body.Bytes.Length - at));
            await response.BodyWriter.WriteAsync(slice, httpContext.RequestAborted).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// True when <c>If-None-Match</c> matches: <c>*</c> (the answer always exists) or any listed tag equal to ours
    /// by weak comparison (a <c>W/</c> prefix on either side is ignored). A malformed header matches nothing.
    /// </summary>
    private bool NotModified(HttpRequest request)
    {
        if (request.Headers.IfNoneMatch.Count == 0)
        {
            return false;
        }

        var ours = new EntityTagHeaderValue(body.EntityTag);
        return request.GetTypedHeaders().IfNoneMatch
            .Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(ours, useStrongComparison: false));
    }
}
