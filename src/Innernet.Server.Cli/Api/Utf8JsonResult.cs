using System.Buffers;

namespace Innernet.Server.Api;

/// <summary>
/// 200 with an already serialized JSON body (<see cref="ResponseBodies"/>): <c>Content-Type: application/json</c>,
/// <c>Content-Length</c> set, the bytes written as they are.
/// </summary>
/// <remarks>
/// The last byte is left unflushed in the response pipe; <see cref="ApiResponseMiddleware"/> flushes it after it
/// has logged the request, so a client never has the whole answer before its log line exists (as with the chunked
/// JSON results, whose final chunk also follows the pipeline). Kestrel does not flush it by itself for a
/// Content-Length response.
/// </remarks>
internal sealed class Utf8JsonResult(byte[] body) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ApiResults.JsonContentType;
        response.ContentLength = body.Length;
        if (body.Length == 0)
        {
            return;
        }

        int head = body.Length - 1;
        if (head > 0)
        {
            await response.BodyWriter.WriteAsync(body.AsMemory(0, head), httpContext.RequestAborted).ConfigureAwait(false);
        }

        response.BodyWriter.Write(body.AsSpan(head));
    }
}
