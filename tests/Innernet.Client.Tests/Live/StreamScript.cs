using System.Text;
using System.Threading.Channels;
using Innernet.Core.Contracts;
using Innernet.Core.Model;
using Microsoft.AspNetCore.Http;

namespace Innernet.Client.Tests.Live;

/// <summary>
/// Scripts <see cref="HostileServer.Stream"/>: each stream request takes the next connection's script, a channel of
/// raw lines the test writes as it goes; completing the channel ends that response body (the server ending the
/// stream). Requests beyond the scripted ones get 503.
/// </summary>
internal sealed class StreamScript
{
    private readonly Channel<Channel<string>> _connections = Channel.CreateUnbounded<Channel<string>>();

    public StreamScript(HostileServer server) => server.Stream = ServeAsync;

    /// <summary>Scripts the next stream connection; write lines to the returned channel.</summary>
    public ChannelWriter<string> NextConnection()
    {
        var lines = Channel.CreateUnbounded<string>();
        _connections.Writer.TryWrite(lines);
        return lines.Writer;
    }

    public static string Line(StateUpdate update) => Encoding.UTF8.GetString(InnernetJson.SerializeToUtf8Bytes(update));

    public static StateUpdate Full(string version, State state) => new(version, null, true, state.Peers, [], state.Cidrs);

    public static StateUpdate Diff(string since, string version, IReadOnlyList<Peer>? peers = null, IReadOnlyList<long>? removed = null)
        => new(version, since, false, peers ?? [], removed ?? [], null);

    private async Task ServeAsync(HttpContext context)
    {
        if (!_connections.Reader.TryRead(out var lines))
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        context.Response.ContentType = "application/x-ndjson";
        await context.Response.StartAsync(context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
        try
        {
            await foreach (string line in lines.Reader.ReadAllAsync(context.RequestAborted))
            {
                await context.Response.WriteAsync(line + "\n", context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
        }
        catch (OperationCanceledException)
        {
            // The client went away.
        }
    }
}
