using System.Diagnostics;
using System.Text.Json;
using Innernet.Core;
using Microsoft.AspNetCore.Http.Features;

namespace Innernet.Server.Api;

/// <summary>
/// The outermost step of the pipeline and the one place errors become status codes: error
/// responses have empty bodies; 405 becomes 404 (innernet has no 405); every request is logged and counted.
/// </summary>
internal sealed class ApiResponseMiddleware(RequestDelegate next, ApiContext api, ILogger<ApiResponseMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        long started = Stopwatch.GetTimestamp();
        try
        {
            await next(context).ConfigureAwait(false);
            if (context.Response.StatusCode == StatusCodes.Status405MethodNotAllowed && !context.Response.HasStarted)
            {
                context.Response.Headers.Allow = default;
                context.Response.StatusCode = StatusCodes.Status404NotFound;
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nothing to answer.
            return;
        }
        catch (Exception e)
        {
            int status = StatusFor(e);
            string caller = CallerName(context);
            if (status == StatusCodes.Status500InternalServerError)
            {
                ApiLog.Failed(logger, e, context.Request.Method, context.Request.Path, caller);
            }
            else
            {
                ApiLog.Refused(logger, context.Request.Method, context.Request.Path, status, caller, e.Message);
            }

            if (context.Response.HasStarted)
            {
                context.Abort();
                return;
            }

            context.Response.Clear();
            context.Response.StatusCode = status;
        }

        api.Metrics.Request(context, context.Response.StatusCode);
        double elapsedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        ApiLog.Request(logger, context.Request.Method, context.Request.Path, context.Response.StatusCode, CallerName(context), elapsedMs);
    }

    /// <summary>innernet's <c>ServerError</c> → status mapping.</summary>
    internal static int StatusFor(Exception e) => e switch
    {
        ValidationException or JsonException => StatusCodes.Status400BadRequest,
        UnauthorizedException => StatusCodes.Status401Unauthorized,
        NotFoundException => StatusCodes.Status404NotFound,
        GoneException => StatusCodes.Status410Gone,
        // Kestrel's own request errors (truncated body, bad framing); an over-long body is a 400 in innernet.
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => StatusCodes.Status400BadRequest,
        BadHttpRequestException bad => bad.StatusCode,
        _ => StatusCodes.Status500InternalServerError,
    };

    private static string CallerName(HttpContext context)
        => context.Features.Get<ApiCaller>()?.Name
            ?? $"unauthenticated {context.Connection.RemoteIpAddress?.ToString() ?? "local socket"}";
}
