using System.Buffers;

namespace Innernet.Server.Api;

/// <summary>
/// 200 with an already serialized JSON body (<see cref="ResponseBodies"/>): <c>Content-Type: application/json</c>,
/// <c>Content-Length</c> set, the bytes written as they are.
/// </summary>
internal sealed class Utf8JsonResult(byte[] body) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ApiResults.JsonContentType;
        response.ContentLength = body.Length;
        if (body.Length > 0)
        {
            await response.BodyWriter.WriteAsync(body, httpContext.RequestAborted).ConfigureAwait(false);
        }
    }
}
