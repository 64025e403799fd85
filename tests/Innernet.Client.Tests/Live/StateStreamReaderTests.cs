using System.Net.Sockets;
using System.Text;
using Innernet.Core.Api;
using Innernet.Core.Model;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;

namespace Innernet.Client.Tests.Live;

/// <summary>
/// The client's reading of <c>GET /v1/user/state/stream</c> from an untrusted server: every line that breaks the
/// protocol ends the stream with an error that says what was wrong; heartbeats are skipped; silence is death.
/// </summary>
public sealed class StateStreamReaderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static InnernetApiClient Api(HostileServer server) => new(
        server.InternalEndpoint,
        server.ServerKeys.Public,
        new InnernetApiClientOptions { LocalAddress = HostileServer.ClientAddress.Address, Timeout = TimeSpan.FromSeconds(5) });

    /// <summary>A stream whose body is exactly <paramref name="body"/> (then ends).</summary>
    private static Func<HttpContext, Task> Body(string body, string contentType = "application/x-ndjson") => async context =>
    {
        context.Response.ContentType = contentType;
        await context.Response.WriteAsync(body, context.RequestAborted);
    };

    private static async Task<List<StateUpdate>> ReadAllAsync(HostileServer server, string? since = null, TimeProvider? time = null)
    {
        using var api = Api(server);
        var stream = await api.OpenStateStreamAsync(since, time, Ct);
        await using (stream)
        {
            var updates = new List<StateUpdate>();
            while (await stream.ReadAsync(Ct) is { } update)
            {
                updates.Add(update);
            }

            return updates;
        }
    }

    [Fact]
    public async Task ReadAsync_SkipsHeartbeats_AndReturnsMessagesInOrder()
    {
        await using var server = await HostileServer.StartAsync();
        var full = StreamScript.Full("v1", server.Answer());
        var diff = StreamScript.Diff("v1", "v2", [HostileServer.MakePeer(3, "bob", "127.44.1.3")]);
        server.Stream = Body("\n" + StreamScript.Line(full) + "\n\n\n" + StreamScript.Line(diff) + "\n\n");

        var updates = await ReadAllAsync(server, since: "v0 with space");

        Assert.Equal(["v1", "v2"], updates.Select(u => u.Version));
        Assert.True(updates[0].Full);
        Assert.Equal(["bob"], updates[1].Peers.Select(p => p.Name));
        Assert.Equal(["v0 with space"], server.StreamRequests);
    }

    public static TheoryData<string, string> BadLines => new()
    {
        { "{not json", "line 1: not a JSON state update" },
        { "null", "line 1: not a JSON state update" },
        { """{"version":"v2","since":null,"full":false,"peers":[],"removed":[],"cidrs":null}""",
            "needs the version it applies to in 'since'" },
        { """{"version":"v2","since":"v1","full":false,"peers":[]}""", "'removed'" },
        { """{"version":"v1","since":null,"full":true,"peers":[],"removed":[],"cidrs":null}""", "a full message needs every CIDR" },
        { """{"version":"","since":null,"full":true,"peers":[],"removed":[],"cidrs":[]}""", "version: it is missing or empty" },
        { $$"""{"version":"{{new string('v', 65)}}","since":null,"full":true,"peers":[],"removed":[],"cidrs":[]}""",
            "65 characters long, at most 64" },
        { """{"version":"v\u00e91","since":null,"full":true,"peers":[],"removed":[],"cidrs":[]}""",
            "character 1 (U+00E9) is not printable ASCII" },
        { """{"version":"v\n1","since":null,"full":true,"peers":[],"removed":[],"cidrs":[]}""", "(U+000A) is not printable ASCII" },
        { """{"version":"v2","since":"v1","full":false,"peers":[null],"removed":[],"cidrs":null}""", "'peers' is missing or holds a null" },
    };

    [Theory]
    [MemberData(nameof(BadLines))]
    public async Task ReadAsync_RefusesAMalformedLine_NamingTheProblem(string line, string expected)
    {
        await using var server = await HostileServer.StartAsync();
        server.Stream = Body("\n" + line.Replace("\n", "\\n", StringComparison.Ordinal) + "\n");

        var e = await Assert.ThrowsAsync<ApiTransportException>(() => ReadAllAsync(server));

        Assert.Contains("broke the state stream protocol", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected.Replace("line 1", "line 2", StringComparison.Ordinal), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_RefusesALineLongerThanTheCap_WithoutHoldingMore()
    {
        await using var server = await HostileServer.StartAsync();
        long written = 0;
        server.Stream = async context =>
        {
            context.Response.ContentType = "application/x-ndjson";
            byte[] chunk = Encoding.ASCII.GetBytes(new string('a', 1 << 20));
            try
            {
                // Endless: the client must stop reading at the cap, not at the end.
                while (!context.RequestAborted.IsCancellationRequested)
                {
                    await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
                    Interlocked.Add(ref written, chunk.Length);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
                // The client hung up.
            }
        };

        using var api = Api(server);
        var stream = await api.OpenStateStreamAsync(null, null, Ct);
        await using (stream)
        {
            var e = await Assert.ThrowsAsync<ApiTransportException>(async () =>
            {
                while (await stream.ReadAsync(Ct) is not null)
                {
                }
            });

            Assert.Contains("line 1: the line is longer than 64 MiB", e.Message, StringComparison.Ordinal);

            // What the client read, not what the server's loop wrote: after the client hangs up, Kestrel may accept
            // (and drop) writes until the abort reaches the request, gigabytes on a busy machine.
            Assert.InRange(stream.BytesReceived, StateStreamReader.MaxLineBytes - (1 << 20), StateStreamReader.MaxLineBytes + (1 << 20));
        }

        Assert.True(Interlocked.Read(ref written) >= StateStreamReader.MaxLineBytes - (1 << 20));
    }

    [Fact]
    public async Task ReadAsync_RefusesABodyThatEndsInsideALine()
    {
        await using var server = await HostileServer.StartAsync();
        server.Stream = Body(StreamScript.Line(StreamScript.Full("v1", server.Answer())));

        var e = await Assert.ThrowsAsync<ApiTransportException>(() => ReadAllAsync(server));

        Assert.Contains("line 1: the stream ended inside a line", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenStateStreamAsync_RefusesAnotherContentType()
    {
        await using var server = await HostileServer.StartAsync();
        server.Stream = Body("{}\n", "application/json");

        var e = await Assert.ThrowsAsync<ApiTransportException>(() => ReadAllAsync(server));

        Assert.Contains("Content-Type 'application/json', not application/x-ndjson", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenStateStreamAsync_RefusesAnInvalidResumeVersion_BeforeSending()
    {
        await using var server = await HostileServer.StartAsync();
        server.Stream = Body("\n");
        using var api = Api(server);

        var e = await Assert.ThrowsAsync<ArgumentException>(() => api.OpenStateStreamAsync(new string('x', 65), null, Ct));

        Assert.Contains("at most 64", e.Message, StringComparison.Ordinal);
        Assert.Empty(server.StreamRequests);
    }

    [Fact]
    public async Task ReadAsync_DeclaresTheStreamDead_After180SecondsWithoutAByte()
    {
        await using var server = await HostileServer.StartAsync();
        var release = new TaskCompletionSource();
        server.Stream = async context =>
        {
            context.Response.ContentType = "application/x-ndjson";
            await context.Response.WriteAsync("\n", context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await release.Task.WaitAsync(context.RequestAborted);
        };
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        using var api = Api(server);
        var stream = await api.OpenStateStreamAsync(null, time, Ct);
        await using (stream)
        {
            var read = stream.ReadAsync(Ct);
            await Eventually.TrueAsync(() => stream.Heartbeats == 1, "the first heartbeat");
            time.Advance(TimeSpan.FromSeconds(179));
            await Task.Yield();
            Assert.False(read.IsCompleted, "alive before 180 s");

            time.Advance(TimeSpan.FromSeconds(1));
            var e = await Assert.ThrowsAsync<ApiTransportException>(() => read);

            Assert.Contains("The state stream is dead: nothing arrived for 180 s", e.Message, StringComparison.Ordinal);
        }

        release.SetResult();
    }

    [Fact]
    public async Task ReadAsync_HeartbeatsKeepTheStreamAlive()
    {
        await using var server = await HostileServer.StartAsync();
        var beat = System.Threading.Channels.Channel.CreateUnbounded<bool>();
        server.Stream = async context =>
        {
            context.Response.ContentType = "application/x-ndjson";
            await context.Response.StartAsync(context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
            await foreach (bool more in beat.Reader.ReadAllAsync(context.RequestAborted))
            {
                await context.Response.WriteAsync(more ? "\n" : StreamScript.Line(StreamScript.Full("v1", server.Answer())) + "\n");
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
        };
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        using var api = Api(server);
        var stream = await api.OpenStateStreamAsync(null, time, Ct);
        await using (stream)
        {
            var read = stream.ReadAsync(Ct);
            for (int i = 1; i <= 3; i++)
            {
                beat.Writer.TryWrite(true);
                await Eventually.TrueAsync(() => stream.Heartbeats == i, $"heartbeat {i}");
                time.Advance(TimeSpan.FromSeconds(170));
            }

            beat.Writer.TryWrite(false);
            var update = await read;

            Assert.Equal("v1", update!.Version);
        }

        beat.Writer.Complete();
    }

    [Fact]
    public async Task IdleStream_HeartbeatsCostUnder1KiBPerHour_OnTheWire()
    {
        await using var server = await HostileServer.StartAsync();
        var beat = System.Threading.Channels.Channel.CreateUnbounded<bool>();
        server.Stream = async context =>
        {
            context.Response.ContentType = "application/x-ndjson";
            await context.Response.StartAsync(context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await foreach (bool _ in beat.Reader.ReadAllAsync(context.RequestAborted))
            {
                // What the server writes for a heartbeat: one "\n", flushed (HTTP/1.1 chunked framing around it).
                await context.Response.Body.WriteAsync("\n"u8.ToArray(), context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
        };
        CountingStream? socket = null;
        using var api = new InnernetApiClient(server.InternalEndpoint, server.ServerKeys.Public, new InnernetApiClientOptions
        {
            ConnectCallback = async (context, ct) =>
                socket = await CountingStream.ConnectAsync(HostileServer.ClientAddress.Address, context, ct),
        });
        var stream = await api.OpenStateStreamAsync(null, null, Ct);
        await using (stream)
        {
            var read = stream.ReadAsync(Ct);
            long start = socket!.BytesRead;
            const int beats = 20;
            for (int i = 1; i <= beats; i++)
            {
                beat.Writer.TryWrite(true);
                await Eventually.TrueAsync(() => stream.Heartbeats == i, $"heartbeat {i}");
            }

            double perBeat = (double)(socket.BytesRead - start) / beats;
            double perHour = perBeat * 60; // one heartbeat a minute
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"{perBeat:0.#} bytes per heartbeat on the wire, {perHour:0} bytes per idle hour");
            Assert.InRange(perBeat, 1, 1024.0 / 60);
            beat.Writer.Complete();
            Assert.Null(await read);
        }
    }
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task OpenStateStreamAsync_TurnsOnKeepAliveProbes_OnlyWhenAsked_AndOnlyOnTheStreamConnection(bool asked)
    {
        await using var server = await HostileServer.StartAsync();
        var release = new TaskCompletionSource();
        server.Stream = async context =>
        {
            context.Response.ContentType = "application/x-ndjson";
            await context.Response.StartAsync(context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await release.Task.WaitAsync(context.RequestAborted);
        };
        var sockets = new System.Collections.Concurrent.ConcurrentQueue<Socket>();
        using var api = new InnernetApiClient(server.InternalEndpoint, server.ServerKeys.Public, new InnernetApiClientOptions
        {
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                socket.Bind(new IPEndPoint(HostileServer.ClientAddress.Address, 0));
                await socket.ConnectAsync(context.DnsEndPoint, ct);
                sockets.Enqueue(socket);
                return new NetworkStream(socket, ownsSocket: true);
            },
        });
        var probes = new TcpKeepAlive(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), 3);

        await api.GetStateAsync(Ct);
        var stream = await api.OpenStateStreamAsync(null, null, asked ? probes : null, Ct);
        await using (stream)
        {
            Assert.Equal(2, sockets.Count);
            var request = sockets.First();
            var held = sockets.Last();
            Assert.Equal(0, (int)request.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive)!);
            Assert.Equal(asked ? 1 : 0, (int)held.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive)!);
            if (asked)
            {
                Assert.Equal(2, (int)held.GetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime)!);
                Assert.Equal(1, (int)held.GetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval)!);
                Assert.Equal(3, (int)held.GetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount)!);
            }
        }

        release.SetResult();
        Assert.Equal(TimeSpan.FromSeconds(5), probes.DeadAfter);
    }

    [Theory]
    [InlineData(0, 1, 3)]
    [InlineData(2, 0, 3)]
    [InlineData(2, 1, 0)]
    public void TcpKeepAlive_RefusesSettingsBelowTheirMinimum(int idle, int interval, int count)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        var probes = new TcpKeepAlive(TimeSpan.FromSeconds(idle), TimeSpan.FromSeconds(interval), count);

        Assert.Throws<ArgumentOutOfRangeException>(() => probes.Apply(socket));
        Assert.Equal(0, (int)socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive)!);
    }
}
