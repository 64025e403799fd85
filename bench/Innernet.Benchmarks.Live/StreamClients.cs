using System.Net.Sockets;
using System.Threading.Channels;
using Innernet.Core.Contracts;
using Innernet.Core.Model;

namespace Innernet.Benchmarks.Live;

/// <summary>
/// The client side of the live benchmark, in its own process (so the server's CPU and memory are the server's
/// alone, and each side has its own file descriptor limit): one real HTTP connection per client, each bound to the
/// client's own loopback address, each holding <c>GET /v1/user/state/stream</c>. Reports on stdout, one line each:
/// <c>READY &lt;n&gt;</c> once every stream has its full view, then <c>R &lt;client&gt; &lt;timestamp&gt;
/// &lt;peers&gt; &lt;removed&gt;</c> per difference (Stopwatch timestamp taken after the <see cref="IUpdateSink"/>
/// returned; the clock is the system's monotonic one, shared with the parent), <c>F &lt;client&gt;</c> for a full
/// view after the first, <c>X &lt;client&gt; &lt;reason&gt;</c> when a stream ends. Runs until stdin closes.
/// </summary>
internal static class StreamClients
{
    private const int ConnectConcurrency = 64;
    private const string KeyHeader = "X-Innernet-Server-Key";

    public static async Task<int> RunAsync(string[] args)
    {
        var server = IPEndPoint.Parse(Option(args, "--server"));
        string key = Option(args, "--key");
        var sources = (await File.ReadAllLinesAsync(Option(args, "--sources"))).Select(IPAddress.Parse).ToArray();
        IUpdateSink sink = new ParseOnlySink();
        var output = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
        var writer = Task.Run(() => WriteOutputAsync(output.Reader));
        using var stop = new CancellationTokenSource();
        int ready = 0;
        var allReady = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var gate = new SemaphoreSlim(ConnectConcurrency);
        var clients = new List<Task>(sources.Length);
        for (int i = 0; i < sources.Length; i++)
        {
            int index = i;
            await gate.WaitAsync();
            clients.Add(Task.Run(async () =>
            {
                bool released = false;
                try
                {
                    await RunClientAsync(index, sources[index], server, key, sink, output.Writer, () =>
                    {
                        gate.Release();
                        released = true;
                        if (Interlocked.Increment(ref ready) == sources.Length)
                        {
                            allReady.TrySetResult();
                        }
                    }, stop.Token);
                }
#pragma warning disable CA1031 // Any failure of one client is reported, not fatal to the others.
                catch (Exception e) when (!stop.IsCancellationRequested)
#pragma warning restore CA1031
                {
                    output.Writer.TryWrite($"X {index} {e.GetType().Name}: {e.Message.Replace('\n', ' ')}");
                }
                catch (OperationCanceledException)
                {
                    // Stopping.
                }
                finally
                {
                    if (!released)
                    {
                        gate.Release();
                    }
                }
            }));
        }

        await allReady.Task;
        output.Writer.TryWrite($"READY {sources.Length}");
        await Console.In.ReadToEndAsync();
        await stop.CancelAsync();
        output.Writer.TryComplete();
        await writer;
        return 0;
    }

    private static async Task RunClientAsync(
        int index, IPAddress source, IPEndPoint server, string key, IUpdateSink sink, ChannelWriter<string> output, Action opened, CancellationToken cancel)
    {
        using var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(source, 0));
                    await socket.ConnectAsync(server, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        using var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://{server}/v1/user/state/stream"));
        request.Headers.TryAddWithoutValidation(KeyHeader, key);
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancel));
        bool first = true;
        while (await reader.ReadLineAsync(cancel) is { } line)
        {
            if (line.Length == 0)
            {
                continue; // heartbeat
            }

            var update = InnernetJson.Deserialize<StateUpdate>(line);
            sink.Apply(index, update);
            long received = Stopwatch.GetTimestamp();
            if (first)
            {
                first = false;
                opened();
            }
            else if (update.Full)
            {
                output.TryWrite($"F {index}");
            }
            else
            {
                output.TryWrite(string.Create(
                    CultureInfo.InvariantCulture, $"R {index} {received} {update.Peers.Count} {update.Removed.Count}"));
            }
        }

        output.TryWrite($"X {index} the stream ended");
    }

    private static async Task WriteOutputAsync(ChannelReader<string> lines)
    {
        using var stdout = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = false };
        while (await lines.WaitToReadAsync())
        {
            while (lines.TryRead(out var line))
            {
                await stdout.WriteLineAsync(line);
            }

            await stdout.FlushAsync();
        }
    }

    internal static string Option(string[] args, string name)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : throw new ArgumentException($"{name} is required.");
    }
}
