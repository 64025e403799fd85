using System.Collections.Concurrent;
using Innernet.Client.Tests.Fakes;
using Innernet.Core.Api;
using Innernet.Core.Config;
using Innernet.Core.Fetch;
using Innernet.Core.Keys;
using Innernet.Core.Live;
using Innernet.Core.Model;
using Innernet.Netlink.Route;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Endpoint = Innernet.Core.Model.Endpoint;

namespace Innernet.Client.Tests.Live;

/// <summary>
/// The daemon against innernet 1.7.1 itself, as recorded: a stub that answers <c>GET /v1/user/capabilities</c> and
/// <c>GET /v1/user/state</c> with innernet's recorded bodies and content types (fixtures/innernet-1.7.1/api/), and
/// 404 to anything else, as innernet does for the stream path. The client must poll, never hold a stream.
/// </summary>
public sealed class RecordedInnernetTests
{
    private const string Iface = "innernet171";
    private static readonly IPAddress StubIp = IPAddress.Parse("127.46.0.1");

    private static readonly string FixtureDirectory = Path.GetDirectoryName(InnernetFixtures.Api("user-state.json"))!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Daemon_AgainstRecordedInnernet171_Polls_AndNeverAsksForTheStream()
    {
        var requests = new ConcurrentQueue<string>();
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(StubIp, 0));
        await using var app = builder.Build();
        app.Run(async context =>
        {
            requests.Enqueue($"{context.Request.Method} {context.Request.Path}");
            string? recorded = (context.Request.Method, context.Request.Path.Value) switch
            {
                ("GET", "/v1/user/capabilities") => "user-capabilities",
                ("GET", "/v1/user/state") => "user-state",
                _ => null,
            };
            if (recorded is null)
            {
                context.Response.StatusCode = context.Request.Method == "PUT"
                    ? StatusCodes.Status204NoContent
                    : StatusCodes.Status404NotFound;
                return;
            }

            string contentType = File.ReadLines(Path.Combine(FixtureDirectory, recorded + ".headers"))
                .Single(l => l.StartsWith("content-type:", StringComparison.OrdinalIgnoreCase))["content-type:".Length..].Trim();
            byte[] body = await File.ReadAllBytesAsync(Path.Combine(FixtureDirectory, recorded + ".json"), context.RequestAborted);
            context.Response.ContentType = contentType;
            context.Response.ContentLength = body.Length;
            await context.Response.Body.WriteAsync(body, context.RequestAborted);
        });
        await app.StartAsync(Ct);
        int port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single()).Port;

        // The recorded network: server 10.66.0.1 with its recorded key; we are a new peer of it. The API socket goes to
        // the stub on loopback as it would go through the tunnel.
        var recordedState = Core.Contracts.InnernetJson.Deserialize<State>(File.ReadAllBytes(Path.Combine(FixtureDirectory,
            "user-state.json")));
        var server = recordedState.Peers.Single(p => p.Id == Peer.ServerId);
        var config = new InterfaceConfig
        {
            Interface = new InterfaceInfo(Iface, new InterfaceAddress(IPAddress.Parse("10.66.3.9"), 16), KeyPair.Generate().Private),
            Server = new ServerInfo(server.PublicKey, Endpoint.Parse("127.0.0.1:51820"), new IPEndPoint(server.Ip, 51820)),
        };
        using var files = new ClientFiles();
        config.Save(files.ConfigFile(Iface));
        var layer = new FakeInterfaceLayer();
        var delays = new ConcurrentQueue<TimeSpan>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var session = new LiveSession(
            new SynchronizedInterfaceLayer(layer),
            apiFactory: c => new InnernetApiClient(c.Server.InternalEndpoint, c.Server.PublicKey, new InnernetApiClientOptions
            {
                ConnectCallback = async (_, ct) =>
                {
                    var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                    await socket.ConnectAsync(StubIp, port, ct);
                    return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
                },
            }),
            delay: async (span, ct) =>
            {
                delays.Enqueue(span);
                await Task.Yield();
                ct.ThrowIfCancellationRequested();
            },
            resolve: static e => e.TryGetIPEndPoint())
        {
            Interval = TimeSpan.FromSeconds(60),
        };

        var run = session.RunAsync(
            new FetchRequest
            {
                InterfaceName = Iface,
                ConfigDirectory = files.ConfigDirectory,
                DataDirectory = files.DataDirectory,
                Hosts = new HostsOptions { Write = false },
                Nat = new NatOptions { NoTraversal = true },
                BringUp = true,
            },
            stop.Token);
        await Eventually.TrueAsync(
            () => run.IsFaulted ? throw run.Exception! : requests.Count(r => r == "GET /v1/user/state") >= 3,
                "three polls of the recorded state");
        var mode = session.Mode;
        await stop.CancelAsync();
        await run;

        Assert.Equal(LiveMode.Polling, mode);
        Assert.DoesNotContain(requests, r => r.StartsWith("GET /v1/user/state/stream", StringComparison.Ordinal));
        Assert.Contains("GET /v1/user/capabilities", requests);
        Assert.All(delays, d => Assert.Equal(TimeSpan.FromSeconds(60), d));
        Assert.Equal(
            recordedState.Peers.Select(p => p.PublicKey).ToHashSet(),
            layer.Fake.PeerKeys(Iface).ToHashSet());
    }
}
