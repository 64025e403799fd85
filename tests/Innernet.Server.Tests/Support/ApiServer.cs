using System.Net.Sockets;
using Innernet.Core.Contracts;
using Innernet.Core.Persistence;
using Innernet.Netlink.WireGuard;
using Innernet.Server.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Innernet.Server.Tests.Support;

/// <summary>
/// One test's innernet server: a real <see cref="ServerStore"/> on an in-memory LiteDB holding innernet's test
/// fixture, served by <see cref="ServerApp"/> on real Kestrel at the server's overlay IP (port 0).
/// Clients connect over real TCP from a peer's own address (the socket is bound to it before connecting). A replica
/// (<see cref="StartReplicaAsync"/>) serves another store on the same shared database, with the same server key.
/// </summary>
internal sealed class ApiServer : IAsyncDisposable
{
    /// <summary>What WireGuard "observed" for developer1 and developer2 (innernet pre-seeds these two).</summary>
    public static readonly IPEndPoint Developer1Observed = IPEndPoint.Parse("198.51.100.11:51820");
    public static readonly IPEndPoint Developer2Observed = IPEndPoint.Parse("198.51.100.12:51820");

    private readonly MemoryStream? _database;
    private readonly List<HttpClient> _clients = [];
    private readonly string? _netnsPath;
    private readonly IPEndPoint _listenEndPoint;
    private readonly IPeerSync? _peerSync;
    private WebApplication? _app;
    private IPEndPoint? _metricsEndPoint;
    private string? _wireGuardInterface;

    private ApiServer(
        TestNetwork network, string? netnsPath, IPEndPoint? listenEndPoint, IPeerSync? peerSync, Func<NewNetwork, ServerStore>? create)
    {
        _peerSync = peerSync;
        Network = network;
        _netnsPath = netnsPath;
        _listenEndPoint = listenEndPoint ?? new IPEndPoint(network.ServerIp, 0);
        ServerKey = TestKeys.RandomKey();
        var newNetwork = new NewNetwork(TestNetwork.Name, network.Root, network.ServerIp, ServerKey, TestNetwork.ExternalEndpoint);
        if (create is null)
        {
            _database = new MemoryStream();
            Store = ServerStore.Create(_database, newNetwork);
        }
        else
        {
            Store = create(newNetwork);
        }

        Time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        Populate();
        ObserveDevelopers();
    }

    /// <summary>A replica of <paramref name="first"/>: <paramref name="store"/> is another store on its shared database.</summary>
    private ApiServer(ApiServer first, ServerStore store)
    {
        Network = first.Network;
        _listenEndPoint = new IPEndPoint(Network.ServerIp, 0);
        ServerKey = first.ServerKey;
        Store = store;
        Time = new FakeTimeProvider(first.Time.GetUtcNow());
        ObserveDevelopers();
    }

    private void ObserveDevelopers()
    {
        PeerSync.Observed[Store.GetPeer(TestNetwork.Developer1Id)!.PublicKey] = Developer1Observed;
        PeerSync.Observed[Store.GetPeer(TestNetwork.Developer2Id)!.PublicKey] = Developer2Observed;
    }

    public TestNetwork Network { get; }

    public ServerStore Store { get; }

    public WireGuardKey ServerKey { get; }

    public RecordingPeerSync PeerSync { get; } = new();

    /// <summary>The replicas' endpoints this server announces (none until a test updates it).</summary>
    public ReplicaDirectory Replicas { get; } = new();

    public FakeTimeProvider Time { get; }

    public CollectingLoggerProvider Logs { get; } = new();

    /// <summary>The TCP endpoint the API listens on (real port).</summary>
    public IPEndPoint EndPoint { get; private set; } = null!;

    /// <summary>The local admin socket, when started with one.</summary>
    public string? AdminSocketPath { get; private set; }

    /// <summary>Starts a server (with <paramref name="peerSync"/> instead of <see cref="PeerSync"/> when given) on <paramref
    /// name="network"/> (default: IPv4 loopback), optionally inside a network namespace.</summary>
    public static async Task<ApiServer> StartAsync(
        TestNetwork? network = null,
        string? netnsPath = null,
        string? adminSocketPath = null,
        IPEndPoint? listenEndPoint = null,
        Func<IPEndPoint, Socket>? createListenSocket = null,
        IPeerSync? peerSync = null,
        Func<NewNetwork, ServerStore>? createStore = null,
        IPEndPoint? metricsEndPoint = null,
        string? wireGuardInterface = null)
    {
        var server = new ApiServer(network ?? TestNetwork.V4, netnsPath, listenEndPoint, peerSync, createStore)
        {
            _metricsEndPoint = metricsEndPoint,
            _wireGuardInterface = wireGuardInterface,
        };
        return await server.StartedAsync(adminSocketPath, createListenSocket);
    }

    /// <summary>
    /// Starts a replica of <paramref name="first"/> (started with a <c>createStore</c> on a shared database): its own app and
    /// port serving <paramref name="store"/>, another store on that database (the replica disposes it).
    /// </summary>
    public static Task<ApiServer> StartReplicaAsync(ApiServer first, ServerStore store)
        => new ApiServer(first, store).StartedAsync(null, null);

    private async Task<ApiServer> StartedAsync(string? adminSocketPath, Func<IPEndPoint, Socket>? createListenSocket)
    {
        try
        {
            await StartAppAsync(adminSocketPath, createListenSocket);
            return this;
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    private async Task StartAppAsync(string? adminSocketPath, Func<IPEndPoint, Socket>? createListenSocket)
    {
        AdminSocketPath = adminSocketPath;
        var loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(Logs));
        _app = ServerApp.Build(new ServerAppOptions
        {
            Store = Store,
            ServerPublicKey = ServerKey,
            PeerSync = _peerSync ?? PeerSync,
            ListenEndpoints = [_listenEndPoint],
            LocalAdminSocketPath = adminSocketPath,
            MetricsEndpoint = _metricsEndPoint,
            WireGuardInterface = _wireGuardInterface,
            CreateListenSocket = createListenSocket ?? (_netnsPath is null ? null : ep => NewSocket(ep.AddressFamily)),
            LoggerFactory = loggerFactory,
            Time = Time,
            Replicas = Replicas,
        });
        await _app.StartAsync(TestContext.Current.CancellationToken);
        var tcp = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Where(a => !a.StartsWith("http://unix:", StringComparison.Ordinal))
            .Select(a => new Uri(a))
            .ToList();
        var metrics = _metricsEndPoint is { } m ? tcp.Single(u => IPAddress.Parse(u.Host.Trim('[', ']')).Equals(m.Address)) : null;
        EndPoint = new IPEndPoint(_listenEndPoint.Address, tcp.Single(u => u != metrics).Port);
        MetricsEndPoint = metrics is null ? null : new IPEndPoint(_metricsEndPoint!.Address, metrics.Port);
    }

    /// <summary>The metrics listener's endpoint (real port), when started with one.</summary>
    public IPEndPoint? MetricsEndPoint { get; private set; }

    /// <summary>An HttpClient on the metrics listener.</summary>
    public HttpClient MetricsClient()
    {
        var endPoint = MetricsEndPoint ?? throw new InvalidOperationException("Started without a metrics listener.");
        var client = new HttpClient(new SocketsHttpHandler { UseProxy = false })
        {
            BaseAddress = new Uri($"http://{endPoint}"),
            Timeout = TimeSpan.FromSeconds(10),
        };
        _clients.Add(client);
        return client;
    }

    /// <summary>The live state feed of the running app.</summary>
    public Innernet.Server.Api.Live.StateFeed Feed => _app!.Services.GetRequiredService<ApiContext>().Feed;

    /// <summary>The running app's invitation sweeper.</summary>
    public InvitationSweeper Sweeper => _app!.Services.GetServices<IHostedService>().OfType<InvitationSweeper>().Single();

    /// <summary>Every route the running app serves, as ASP.NET Core's endpoint data source lists them.</summary>
    public IReadOnlyList<RouteEndpoint> Routes
        => [.. _app!.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()];

    /// <summary>
    /// Stops the app and starts a new one on the same store (a server restart: a new feed, a new port). Clients
    /// made before do not follow; make new ones.
    /// </summary>
    public async Task RestartAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync(CancellationToken.None);
            await _app.DisposeAsync();
            _app = null;
        }

        await StartAppAsync(AdminSocketPath, null);
    }

    /// <summary>A TCP socket in the server's network namespace (the root namespace unless one was given).</summary>
    public Socket NewSocket(AddressFamily family)
        => _netnsPath is null
            ? new Socket(family, SocketType.Stream, ProtocolType.Tcp)
            : Innernet.Netlink.NetworkNamespace.Run(_netnsPath, () => new Socket(family, SocketType.Stream, ProtocolType.Tcp));

    /// <summary>
    /// An HttpClient whose connections come from <paramref name="source"/> (bound before connect) and that
    /// sends <c>X-Innernet-Server-Key</c> = <paramref name="serverKeyHeader"/> (default: the right key; null: none).
    /// </summary>
    public HttpClient ClientFrom(IPAddress source, string? serverKeyHeader = "")
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            ConnectCallback = async (_, ct) =>
            {
                var socket = NewSocket(source.AddressFamily);
                try
                {
                    if (source.IsIPv4MappedToIPv6)
                    {
                        socket.DualMode = true;
                    }

                    socket.Bind(new IPEndPoint(source, 0));
                    await socket.ConnectAsync(EndPoint, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        var client = new HttpClient(handler) { BaseAddress = BaseUri(), Timeout = TimeSpan.FromSeconds(10) };
        if (serverKeyHeader is not null)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation(
                SessionMiddleware.ServerKeyHeader, serverKeyHeader.Length == 0 ? ServerKey.ToBase64() : serverKeyHeader);
        }

        _clients.Add(client);
        return client;
    }

    /// <summary>An HttpClient on the local admin Unix socket (no key header).</summary>
    public HttpClient LocalAdminClient()
    {
        string path = AdminSocketPath ?? throw new InvalidOperationException("Started without an admin socket.");
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        var client = new HttpClient(handler) { BaseAddress = new Uri("http://localhost"), Timeout = TimeSpan.FromSeconds(10) };
        _clients.Add(client);
        return client;
    }

    public HttpClient Admin() => ClientFrom(Network.Admin);

    public HttpClient Developer1() => ClientFrom(Network.Developer1);

    public HttpClient Developer2() => ClientFrom(Network.Developer2);

    public Peer Peer(long id) => Store.GetPeer(id) ?? throw new InvalidOperationException($"No peer {id}.");

    /// <summary>An unredeemed invitation in the user CIDR, expiring in a day (by the server clock).</summary>
    public Peer AddInvitee(TimeSpan? expiresIn = null)
        => Store.AddPeer(NewPeer("invitee", Network.InviteeIp, TestNetwork.UserCidrId) with
        {
            IsRedeemed = false,
            InviteExpires = Time.GetUtcNow() + (expiresIn ?? TimeSpan.FromDays(1)),
        });

    /// <summary>A redeemed but disabled peer in the user CIDR.</summary>
    public Peer AddRetired() => Store.AddPeer(NewPeer("retired", Network.RetiredIp, TestNetwork.UserCidrId) with { IsDisabled = true });

    public static PeerContents NewPeer(string name, IPAddress ip, long cidrId, bool isAdmin = false) => new()
    {
        Name = name,
        Ip = ip,
        CidrId = cidrId,
        PublicKey = TestKeys.RandomKey(),
        PersistentKeepaliveInterval = 25,
        IsAdmin = isAdmin,
        IsDisabled = false,
        IsRedeemed = true,
        InviteExpires = null,
        Candidates = [],
    };

    /// <summary>Every logged line so far, for assertion messages.</summary>
    public string LogText => string.Join('\n', Logs.Lines);

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        if (_app is not null)
        {
            await _app.StopAsync(CancellationToken.None);
            await _app.DisposeAsync();
        }

        Store.Dispose();
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    private Uri BaseUri()
        => new(EndPoint.AddressFamily == AddressFamily.InterNetworkV6
            ? $"http://[{EndPoint.Address}]:{EndPoint.Port}"
            : $"http://{EndPoint.Address}:{EndPoint.Port}");

    private void Populate()
    {
        Store.AddCidr(new CidrContents("admin", Network.AdminCidr, Cidr.RootId));
        Store.AddCidr(new CidrContents("developer", Network.DeveloperCidr, Cidr.RootId));
        Store.AddCidr(new CidrContents("user", Network.UserCidr, Cidr.RootId));
        Store.AddPeer(NewPeer("admin", Network.Admin, TestNetwork.AdminCidrId, isAdmin: true));
        Store.AddPeer(NewPeer("developer1", Network.Developer1, TestNetwork.DeveloperCidrId));
        Store.AddPeer(NewPeer("developer2", Network.Developer2, TestNetwork.DeveloperCidrId));
        Store.AddPeer(NewPeer("user1", Network.User1, TestNetwork.UserCidrId));
        Store.AddPeer(NewPeer("user2", Network.User2, TestNetwork.UserCidrId));
    }
}
