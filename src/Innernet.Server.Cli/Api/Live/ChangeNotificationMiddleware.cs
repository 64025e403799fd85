namespace Innernet.Server.Api.Live;

/// <summary>
/// Tells the <see cref="StateFeed"/> after every request that may have written (any method but GET and HEAD),
/// when its response starts: a handler commits before it answers, so the feed hears of a change before the
/// client hears that it is done. One place for every write endpoint, on TCP and on the local admin socket.
/// </summary>
internal sealed class ChangeNotificationMiddleware(RequestDelegate next, ApiContext api)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        context.Response.OnStarting(static state =>
        {
            ((StateFeed)state).Notify();
            return Task.CompletedTask;
        }, api.Feed);
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            // A request whose response never started (it failed) may have committed before failing.
            api.Feed.Notify();
        }
    }
}
