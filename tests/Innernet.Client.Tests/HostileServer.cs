using Innernet.Core.Config;
using Innernet.Core.Contracts;
using Innernet.Core.Keys;
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
using Peer = Innernet.Core.Model.Peer;

namespace Innernet.Client.Tests;

/// <summary>
/// A server that plays innernet's API with answers a compromised server could send: plain Kestrel on
/// 127.44.0.1:&lt;free port&gt;, <c>GET /v1/user/state</c> served by <see cref="State"/> (replaceable per test),
/// <c>PUT /v1/user/candidates</c> answered 204, anything else 404. The overlay is 127.44.0.0/16 and the client is
/// 127.44.1.2, so the client's API socket binds to a loopback address as through a tunnel.
/// </summary>
internal sealed class HostileServer : IAsyncDisposable
{
    public const string NetworkName = "hostile";
    public static readonly IPAddress ServerIp = IPAddress.Parse("127.44.0.1");
    public static readonly InterfaceAddress ClientAddress = new(IPAddress.Parse("127.44.1.2"), 16);

    private readonly WebApplication _app;

    private HostileServer(WebApplication app, IPEndPoint internalEndpoint)
    {
        _app = app;
        InternalEndpoint = internalEndpoint;
        ServerPeer = new Peer
        {
            Id = Peer.ServerId, Name = "innernet-server", Ip = ServerIp, CidrId = 1, PublicKey = ServerKeys.Public,
            PersistentKeepaliveInterval = 25, IsRedeemed = true,
        };
        Self = new Peer { Id = 2, Name = "me", Ip = ClientAddress.Address, CidrId = 2, PublicKey = ClientKeys.Public, IsRedeemed = true };
        State = context => Json(context, Answer(MakePeer(3, "bob", "127.44.1.3")));
    }

    public IPEndPoint InternalEndpoint { get; }

    public KeyPair ServerKeys { get; } = KeyPair.Generate();

    public KeyPair ClientKeys { get; } = KeyPair.Generate();

    /// <summary>The server's own peer, as an honest server lists it.</summary>
    public Peer ServerPeer { get; }

    /// <summary>The client's peer.</summary>
    public Peer Self { get; }

    /// <summary>
    /// A handler's way of never answering (or never finishing an answer): completes only when the client gives up and
    /// the request is aborted. Not a timer, so it cannot end early on a slow machine.
    /// </summary>
    public static async Task UntilAbortedAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var registration = context.RequestAborted.Register(() => aborted.TrySetResult());
        await aborted.Task;
    }

    /// <summary>Serves <c>GET /v1/user/state</c>.</summary>
    public Func<HttpContext, Task> State { get; set; }

    /// <summary>Serves <c>GET /v1/user/capabilities</c>; null answers 404 (innernet before 1.7).</summary>
    public Func<HttpContext, Task>? Capabilities { get; set; }

    /// <summary>Serves <c>GET /v1/user/state/stream</c>; null answers 404.</summary>
    public Func<HttpContext, Task>? Stream { get; set; }

    /// <summary>The <c>since</c> of every stream request, in order (null: none sent).</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string?> StreamRequests { get; } = new();

    /// <summary>How many state requests arrived.</summary>
    public int StateRequests => _stateRequests;

    private int _stateRequests;

    /// <summary>The client's config for this network.</summary>
    public InterfaceConfig Config => new()
    {
        Interface = new InterfaceInfo(NetworkName, ClientAddress, ClientKeys.Private),
        Server = new ServerInfo(ServerKeys.Public, Endpoint.Parse("127.0.0.1:51820"), InternalEndpoint),
    };

    public static async Task<HostileServer> StartAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(ServerIp, 0));
        var app = builder.Build();
        HostileServer? server = null;
        app.Run(context =>
        {
            switch (context.Request.Method, context.Request.Path.Value)
            {
                case ("GET", "/v1/user/state"):
                    Interlocked.Increment(ref server!._stateRequests);
                    return server.State(context);
                case ("GET", "/v1/user/capabilities") when server!.Capabilities is { } capabilities:
                    return capabilities(context);
                case ("GET", "/v1/user/state/stream") when server!.Stream is { } stream:
                    server.StreamRequests.Enqueue(context.Request.Query.TryGetValue("since", out var since) ? since.ToString() : null);
                    return stream(context);
                case ("PUT", "/v1/user/candidates"):
                    context.Response.StatusCode = StatusCodes.Status204NoContent;
                    return Task.CompletedTask;
                default:
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    return Task.CompletedTask;
            }
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server = new HostileServer(app, new IPEndPoint(ServerIp, new Uri(address).Port));
        return server;
    }

    /// <summary>A redeemed peer of this network with a fresh key.</summary>
    public static Peer MakePeer(long id, string name, string ip) => new()
    {
        Id = id, Name = name, Ip = IPAddress.Parse(ip), CidrId = 2, PublicKey = KeyPair.Generate().Public,
        PersistentKeepaliveInterval = 25, IsRedeemed = true,
    };

    /// <summary>A state with the server, the client and <paramref name="others"/>.</summary>
    public State Answer(params Peer[] others) => new(
        [ServerPeer, Self, .. others],
        [
            new Cidr(1, NetworkName, IPNetwork.Parse("127.44.0.0/16"), null),
            new Cidr(2, "humans", IPNetwork.Parse("127.44.1.0/24"), 1),
        ]);

    public static Task Json(HttpContext context, State state)
    {
        byte[] body = InnernetJson.SerializeToUtf8Bytes(state);
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
