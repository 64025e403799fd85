using Innernet.Core;
using Microsoft.AspNetCore.Http.Features;

namespace Innernet.Server.Api.Live;

/// <summary>
/// <c>GET /v1/user/state/stream[?since=&lt;version&gt;]</c>: a held 200 whose body is NDJSON, one
/// <see cref="Core.Model.StateUpdate"/> per line and an empty line as heartbeat (docs/api.md, "Live updates").
/// The session step has authenticated the caller (401 otherwise, before any byte).
/// </summary>
internal static class StateStreamEndpoint
{
    public const string Path = "/state/stream";

    public const string ContentType = "application/x-ndjson";

    public const string SinceParameter = "since";

    /// <summary>
    /// Messages are written in pieces of this size, each awaited: a slow reader holds at most about one piece in
    /// the server's buffers (the message itself is the view's shared array, never copied per stream).
    /// </summary>
    private const int WriteChunkBytes = 16 * 1024;

    private static readonly byte[] Heartbeat = "\n"u8.ToArray();

    public static async Task StreamAsync(HttpContext context, ApiContext api)
    {
        var peer = context.GetCaller().RequirePeer();
        var query = context.Request.Query[SinceParameter];
        string? since = query.Count == 1 ? query[0] : null;
        var subscription = api.Feed.Subscribe(peer, since);
        if (subscription is null)
        {
            // Stopping is not a refusal: a 401 would tell the client it is no longer a member.
            if (api.Feed.Stopped)
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return;
            }

            throw new UnauthorizedException($"Peer {peer} is no longer an enabled, redeemed peer.");
        }

        var cancel = context.RequestAborted;
        using var gone = cancel.Register(static s => ((StreamSubscription)s!).End(), subscription);
        try
        {
            var response = context.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = ContentType;
            response.Headers.CacheControl = "no-store";
            api.Replicas.Announce(response);
            context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
            await response.StartAsync(cancel).ConfigureAwait(false);
            await response.Body.FlushAsync(cancel).ConfigureAwait(false);
            while (true)
            {
                var wake = subscription.Arm();
                if (subscription.Ended)
                {
                    return;
                }

                if (api.Feed.Next(subscription) is { } message)
                {
                    long committedAt = subscription.TakeUnsentCommit();
                    await WriteAsync(response.Body, message, cancel).ConfigureAwait(false);
                    subscription.Written(api.Feed.Now);
                    if (committedAt != 0)
                    {
                        api.Metrics.Propagated(committedAt);
                    }
                }
                else if (subscription.TakeHeartbeat())
                {
                    await response.Body.WriteAsync(Heartbeat, cancel).ConfigureAwait(false);
                    subscription.Written(api.Feed.Now);
                }
                else
                {
                    // The client going away ends the subscription, which wakes this wait.
                    await wake.ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // The client went away.
        }
        finally
        {
            api.Feed.Unsubscribe(subscription);
        }
    }

    private static async Task WriteAsync(Stream body, byte[] message, CancellationToken cancel)
    {
        for (int offset = 0; offset < message.Length; offset += WriteChunkBytes)
        {
            await body.WriteAsync(message.AsMemory(offset, Math.Min(WriteChunkBytes, message.Length - offset)), cancel)
                .ConfigureAwait(false);
        }
    }
}
