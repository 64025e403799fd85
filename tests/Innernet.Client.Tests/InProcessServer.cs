using Innernet.Core.Api;
using Innernet.Core.Config;
using Innernet.Core.Keys;
using Innernet.Core.Model;
using Innernet.Core.Persistence;
using Innernet.Netlink.Route;
using Innernet.Server.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Innernet.Client.Tests;

/// <summary>
/// The real innernet API (ServerApp + ServerStore on a temp file) on Kestrel at 127.42.0.1:&lt;free port&gt;.
/// The overlay is 127.42.0.0/16: every "peer" is a loopback address and its API client binds its socket to that
/// address, so the server identifies it by the TCP source IP exactly as through a tunnel.
/// </summary>
internal sealed class InProcessServer : IAsyncDisposable
{
    public const string NetworkName = "testnet";
    public static readonly IPNetwork Root = IPNetwork.Parse("127.42.0.0/16");
    public static readonly IPAddress ServerIp = IPAddress.Parse("127.42.0.1");
    public static readonly Endpoint ExternalEndpoint = Endpoint.Parse("127.0.0.1:51820");

    private readonly WebApplication _app;

    private InProcessServer(string directory, ServerStore store, KeyPair keys, WebApplication app, IPEndPoint internalEndpoint)
    {
        Directory = directory;
        Store = store;
        ServerKeys = keys;
        _app = app;
        InternalEndpoint = internalEndpoint;
    }

    public string Directory { get; }

    public ServerStore Store { get; }

    public KeyPair ServerKeys { get; }

    public IPEndPoint InternalEndpoint { get; }

    /// <param name="configure">Adds test middleware (it runs after routing, before the endpoint).</param>
    public static async Task<InProcessServer> StartAsync(Action<WebApplication>? configure = null)
    {
        string directory = System.IO.Directory.CreateTempSubdirectory("inn-client-test-").FullName;
        var keys = KeyPair.Generate();
        var store = ServerStore.Create(Path.Combine(directory, "server.db"),
            new NewNetwork(NetworkName, Root, ServerIp, keys.Public, ExternalEndpoint));
        return await StartAsync(directory, store, keys, configure);
    }

    /// <summary>
    /// The API over a network that exists already (one <c>innernet-server new</c> made of <see cref="Root"/>, named
    /// <see cref="NetworkName"/>); <paramref name="directory"/> is deleted with the server.
    /// </summary>
    public static async Task<InProcessServer> StartAsync(
        string directory, ServerStore store, KeyPair keys, Action<WebApplication>? configure = null)
    {
        var app = ServerApp.Build(new ServerAppOptions
        {
            Store = store,
            ServerPublicKey = keys.Public,
            ListenEndpoints = { new IPEndPoint(ServerIp, 0) },
        });
        configure?.Invoke(app);
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        var endpoint = new IPEndPoint(ServerIp, new Uri(address).Port);
        return new InProcessServer(directory, store, keys, app, endpoint);
    }

    public Cidr AddCidr(string name, string cidr, long parent = Cidr.RootId)
        => Store.AddCidr(new CidrContents(name, IPNetwork.Parse(cidr), parent));

    /// <summary>Adds a peer directly in the store; redeemed peers are ready to call the user/admin API.</summary>
    public (Peer Peer, KeyPair Keys) AddPeer(string name, string ip, long cidrId, bool admin = false, bool redeemed = true)
    {
        var keys = KeyPair.Generate();
        var peer = Store.AddPeer(new PeerContents
        {
            Name = name,
            Ip = IPAddress.Parse(ip),
            CidrId = cidrId,
            PublicKey = keys.Public,
            PersistentKeepaliveInterval = 25,
            IsAdmin = admin,
            IsRedeemed = redeemed,
            InviteExpires = redeemed ? null : DateTimeOffset.UtcNow.AddDays(1),
        });
        return (peer, keys);
    }

    /// <summary>A client config for a peer of this network.</summary>
    public InterfaceConfig ClientConfig(IPAddress peerIp, KeyPair keys, ushort? listenPort = null) => new()
    {
        Interface = new InterfaceInfo(NetworkName, new InterfaceAddress(peerIp, Root.PrefixLength), keys.Private, listenPort),
        Server = new ServerInfo(ServerKeys.Public, ExternalEndpoint, InternalEndpoint),
    };

    /// <summary>An API client whose socket is bound to <paramref name="peerIp"/>.</summary>
    public InnernetApiClient ApiFor(IPAddress peerIp, InnernetApiClientOptions? options = null)
        => new(InternalEndpoint, ServerKeys.Public, new InnernetApiClientOptions
        {
            LocalAddress = peerIp,
            Timeout = options?.Timeout ?? InnernetApiClientOptions.DefaultTimeout,
        });

    /// <summary>The factory fetch/install/CLI use: bind to the config's own address.</summary>
    public static InnernetApiClient ApiFromConfig(InterfaceConfig config)
        => new(config.Server.InternalEndpoint, config.Server.PublicKey,
            new InnernetApiClientOptions { LocalAddress = config.Interface.Address.Address });

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        Store.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
