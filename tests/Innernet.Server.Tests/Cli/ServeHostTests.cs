using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Innernet.Core.Config;
using Innernet.Core.Interfaces;
using Innernet.Core.Keys;
using Innernet.Netlink;
using Innernet.Netlink.WireGuard;
using Innernet.Testing.Networks;

namespace Innernet.Server.Tests.Cli;

/// <summary>
/// The built <c>innernet-server</c> (<see cref="InnernetBinaries"/>: the Native AOT one under ./build.sh test) serving in a
/// private namespace on wireguard-go: its WireGuard peer list follows add-peer (through the admin socket while serving),
/// disable/enable, a redemption made by a peer namespace through the tunnel, and invitation expiry; drift made with
/// <c>wg set</c> heals within one period; a restart keeps a connected peer's session.
/// </summary>
[Trait(Layers.Name, Layers.Host)]
[Collection(nameof(ServeHostTests))]
[CollectionDefinition(nameof(ServeHostTests), DisableParallelization = true)]
public sealed class ServeHostTests : IDisposable
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);
    private readonly NetnsLab _lab = new();
    private readonly string _root = Path.Combine(Path.GetTempPath(), "inn-serve-" + Guid.NewGuid().ToString("N")[..12]);
    private NamespacedProcess? _server;
    private string? _serverInterface;
    private string? _serverNamespace;

    [Fact]
    public async Task Serve_WireGuardPeersFollowAddDisableEnableRedeemAndExpiry()
    {
        Prerequisites.RequireWireGuardGo();
        var ct = TestContext.Current.CancellationToken;
        var (binary, iface, dirs) = NewNetwork();
        string lib = dirs[3];
        string peerNs = _lab.AddNamespace("p");
        var (serverVeth, peerVeth) = _lab.AddVethPair(_serverNamespace!, peerNs);
        _lab.AddAddress(_serverNamespace!, serverVeth, "198.18.0.1/24");
        _lab.AddAddress(peerNs, peerVeth, "198.18.0.2/24");
        string peerIface = _lab.InterfaceName("p");
        string p1File = Path.Combine(_root, "p1.toml");
        var p1TempKey = AddInvitation(binary, iface, dirs, "p1", p1File).Public;
        var p1Invite = InterfaceConfig.LoadInvitation(p1File).Config;

        _server = NamespacedProcess.Start(_serverNamespace!, binary, ["serve", iface, "--no-write-hosts", .. dirs]);
        await WaitForAsync(() => File.Exists(Path.Combine(lib, iface + ".sock")) && ServerPeers(iface) is not null,
            TimeSpan.FromSeconds(30), "the server to come up", ct);
        Assert.Equal([p1TempKey], ServerPeers(iface)!);

        // add-peer while serving goes through the admin socket and reaches WireGuard at once.
        string p2File = Path.Combine(_root, "p2.toml");
        var viaSocket = Cli(binary, ["add-peer", iface, "--name", "p2", "--cidr", "humans", "--admin", "false", "--auto-ip",
            "--invite-expires", "1d", "--save-config", p2File, "--yes", .. dirs]);
        Assert.Contains("running server", viaSocket.StandardOutput, StringComparison.Ordinal);
        var p2Key = KeyPair.FromPrivate(InterfaceConfig.LoadInvitation(p2File).Config.Interface.PrivateKey).Public;
        await WaitForAsync(() => ServerPeers(iface)!.Contains(p2Key), TimeSpan.FromSeconds(3), "p2 on the server's interface", ct);

        string p3File = Path.Combine(_root, "p3.toml");
        Cli(binary, ["add-peer", iface, "--name", "p3", "--cidr", "humans", "--admin", "false", "--auto-ip", "--invite-expires", "1s",
            "--save-config", p3File, "--yes", .. dirs]);
        var p3Key = KeyPair.FromPrivate(InterfaceConfig.LoadInvitation(p3File).Config.Interface.PrivateKey).Public;
        var p3Added = Stopwatch.StartNew();

        Cli(binary, ["disable-peer", iface, "--name", "p2", "--yes", .. dirs]);
        await WaitForAsync(() => !ServerPeers(iface)!.Contains(p2Key), TimeSpan.FromSeconds(3), "p2 removed after disable-peer", ct);
        Cli(binary, ["enable-peer", iface, "--name", "p2", "--yes", .. dirs]);
        await WaitForAsync(() => ServerPeers(iface)!.Contains(p2Key), TimeSpan.FromSeconds(3), "p2 back after enable-peer", ct);
        var deleted = Cli(binary, ["delete-peer", iface, "--name", "p2", "--yes", .. dirs]);
        Assert.Contains("stays reserved for 30 days", deleted.StandardOutput, StringComparison.Ordinal);
        await WaitForAsync(() => !ServerPeers(iface)!.Contains(p2Key), TimeSpan.FromSeconds(3), "p2 removed after delete-peer", ct);

        // The peer namespace joins with the invitation (temporary key) and redeems through the tunnel.
        JoinWithInvitation(peerNs, peerIface, p1Invite);
        var permanent = KeyPair.Generate();
        using (var http = PeerHttpClient(NetnsLab.NamespacePath(peerNs)))
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"http://{p1Invite.Server.InternalEndpoint}/v1/user/redeem")
            {
                Content = new StringContent($"{{\"public_key\":\"{permanent.Public.ToBase64()}\"}}", Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("X-Innernet-Server-Key", p1Invite.Server.PublicKey.ToBase64());
            using var response = await http.SendAsync(request, ct);
            Assert.True(response.StatusCode == HttpStatusCode.NoContent, $"redeem answered {(int)response.StatusCode}\n{ServerLog()}");
        }

        var redeemed = Stopwatch.StartNew();
        Assert.Contains(p1TempKey, ServerPeers(iface)!); // the swap waits 5 s so the reply can leave through the old tunnel
        await WaitForAsync(
            () => ServerPeers(iface) is { } keys && keys.Contains(permanent.Public) && !keys.Contains(p1TempKey),
            TimeSpan.FromSeconds(12), "the redeemed key swap", ct);
        Assert.True(redeemed.Elapsed >= TimeSpan.FromSeconds(4), $"the key swap came after {redeemed.Elapsed}, before innernet's 5 s");

        await WaitForAsync(() => !ServerPeers(iface)!.Contains(p3Key), TimeSpan.FromSeconds(15) - p3Added.Elapsed,
            "the expired invitation swept", ct);
        var listed = Cli(binary, ["list-peers", iface, "--json", .. dirs]);
        var peers = ServerCommandLineTests.InnernetJsonPeers(listed.StandardOutput);
        Assert.DoesNotContain(peers, p => p.Name == "p3");
        Assert.DoesNotContain(peers, p => p.Name == "p2");
        Assert.Equal(permanent.Public, Assert.Single(peers, p => p.Name == "p1").PublicKey);

        // SIGTERM: clean shutdown, exit 0, admin socket gone, interface left up.
        Assert.Equal(0, StopServer());
        Assert.False(File.Exists(Path.Combine(lib, iface + ".sock")));
        Assert.NotNull(ServerPeers(iface));
    }

    /// <summary>
    /// The published (Native AOT, trimmed) server keeps its store working: LiteDB is trimmed with its reflection
    /// mapper removed (src/Publish/LiteDB.Substitutions.xml), so CIDRs and peers must round-trip through the
    /// hand-written BSON mapping, offline and through the admin socket while serving.
    /// </summary>
    [Fact]
    public async Task PublishedServer_NewAddCidrAddPeerServeList_StoreRoundTrips()
    {
        Prerequisites.RequireWireGuardGo();
        Prerequisites.Require(
            InnernetBinaries.IsNativeAot(InnernetBinaries.Server),
            $"{InnernetBinaries.Server} is not a Native AOT binary: ./build.sh test publishes and sets INNERNET_SERVER_BINARY");
        var ct = TestContext.Current.CancellationToken;
        var (binary, iface, dirs) = NewNetwork();
        string lib = dirs[3];
        var p1 = AddInvitation(binary, iface, dirs, "p1");
        var p2 = AddInvitation(binary, iface, dirs, "p2");

        _server = NamespacedProcess.Start(_serverNamespace!, binary, ["serve", iface, "--no-write-hosts", .. dirs]);
        await WaitForAsync(() => File.Exists(Path.Combine(lib, iface + ".sock")) && ServerPeers(iface) is { Count: 2 },
            TimeSpan.FromSeconds(30), "the server with both invitations", ct);
        var p3 = AddInvitation(binary, iface, dirs, "p3");
        await WaitForAsync(() => ServerPeers(iface)!.Contains(p3.Public), TimeSpan.FromSeconds(3), "p3 added through the admin socket", ct);

        var invited = ServerCommandLineTests.InnernetJsonPeers(Cli(binary, ["list-peers", iface, "--json", .. dirs]).StandardOutput)
            .Where(p => p.Id != Peer.ServerId).OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
        Assert.Equal(["p1", "p2", "p3"], invited.Select(p => p.Name));
        Assert.Equal([p1.Public, p2.Public, p3.Public], invited.Select(p => p.PublicKey));
        Assert.Equal(["10.99.1.1", "10.99.1.2", "10.99.1.3"], invited.Select(p => p.Ip.ToString()));
        string cidrs = Cli(binary, ["list-cidrs", iface, .. dirs]).StandardOutput;
        Assert.Contains("10.99.1.0/24 humans", cidrs, StringComparison.Ordinal);
        Assert.Equal(0, StopServer());
    }

    [Fact]
    public async Task Serve_DriftMadeWithWgSet_IsRestoredWithinOnePeriod()
    {
        Prerequisites.RequireWireGuardGo();
        Prerequisites.Require(Prerequisites.FindOnPath("wg") is not null, "wg (wireguard-tools) is not installed");
        var ct = TestContext.Current.CancellationToken;
        var (binary, iface, dirs) = NewNetwork();
        var p1 = AddInvitation(binary, iface, dirs, "p1");
        var p2 = AddInvitation(binary, iface, dirs, "p2");
        _server = NamespacedProcess.Start(_serverNamespace!, binary, ["serve", iface, "--no-write-hosts", .. dirs]);
        await WaitForAsync(() => ServerPeers(iface) is { Count: 2 }, TimeSpan.FromSeconds(30), "the server with both invitations", ct);

        var stranger = KeyPair.Generate().Public;
        _lab.Exec(_serverNamespace!, "wg", "set", iface, "peer", p1.Public.ToBase64(), "remove");
        _lab.Exec(_serverNamespace!, "wg", "set", iface, "peer", stranger.ToBase64(), "allowed-ips", "10.99.1.200/32");
        Assert.DoesNotContain(p1.Public, ServerPeers(iface)!);
        var drifted = Stopwatch.StartNew();

        await WaitForAsync(
            () => ServerPeers(iface) is { } keys && keys.Count == 2 && keys.Contains(p1.Public) && keys.Contains(p2.Public),
            Innernet.Server.Serve.WireGuardPeerSync.ReconcileInterval + TimeSpan.FromSeconds(3),
            "the removed invitation back and the stranger gone",
            ct);
        Assert.True(drifted.Elapsed <= Innernet.Server.Serve.WireGuardPeerSync.ReconcileInterval + TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task Serve_Restart_KeepsAConnectedPeersSession()
    {
        Prerequisites.RequireWireGuardGo();
        var ct = TestContext.Current.CancellationToken;
        var (binary, iface, dirs) = NewNetwork();
        string peerNs = _lab.AddNamespace("p");
        var (serverVeth, peerVeth) = _lab.AddVethPair(_serverNamespace!, peerNs);
        _lab.AddAddress(_serverNamespace!, serverVeth, "198.18.0.1/24");
        _lab.AddAddress(peerNs, peerVeth, "198.18.0.2/24");
        string p1File = Path.Combine(_root, "p1.toml");
        var p1 = AddInvitation(binary, iface, dirs, "p1", p1File);
        var invite = InterfaceConfig.LoadInvitation(p1File).Config;
        _server = NamespacedProcess.Start(_serverNamespace!, binary, ["serve", iface, "--no-write-hosts", .. dirs]);
        await WaitForAsync(StartedUp, TimeSpan.FromSeconds(30), "the server started", ct);
        Assert.Equal([p1.Public], ServerPeers(iface));
        JoinWithInvitation(peerNs, _lab.InterfaceName("p"), invite);
        var serverIp = invite.Server.InternalEndpoint.Address;
        await WaitForAsync(() => _lab.Ping(peerNs, serverIp), TimeSpan.FromSeconds(20), "a first ping through the tunnel", ct);
        var handshake = LastHandshake(iface, p1.Public);
        Assert.NotNull(handshake);

        int exit = StopServer();
        Assert.True(exit == 0, $"serve exited {exit}\n{ServerLog()}");
        _server.Dispose();
        _server = NamespacedProcess.Start(_serverNamespace!, binary, ["serve", iface, "--no-write-hosts", .. dirs]);
        await WaitForAsync(StartedUp, TimeSpan.FromSeconds(30), "the restarted server", ct);

        var ping = _lab.PingDetailed(peerNs, serverIp, count: 3);
        Assert.True(ping.Succeeded, $"ping after the restart: {ping.StandardOutput}{ping.StandardError}\n{ServerLog()}");
        Assert.Equal(handshake, LastHandshake(iface, p1.Public)); // the session survived: no new handshake was needed
        Assert.Contains("loaded into WireGuard (live device: 0 added, 0 removed, 0 corrected)", _server.Log, StringComparison.Ordinal);
    }

    /// <summary>serve has logged the end of its start-up (API listening and every peer on WireGuard).</summary>
    private bool StartedUp() => _server?.Log.Contains("start-up took", StringComparison.Ordinal) == true;

    /// <summary>
    /// A server namespace and a network <c>new</c> made (10.99.0.0/16, CIDR humans 10.99.1.0/24); returns the binary,
    /// interface and directory options.
    /// </summary>
    private (string Binary, string Interface, string[] Dirs) NewNetwork()
    {
        string binary = InnernetBinaries.Server;
        _serverNamespace = _lab.AddNamespace("s");
        string iface = _serverInterface = _lab.InterfaceName("s");
        string etc = Path.Combine(_root, "etc"), lib = Path.Combine(_root, "lib");
        Directory.CreateDirectory(_root);
        string[] dirs = ["-c", etc, "-d", lib, "--backend", "userspace"];
        Cli(binary, ["new", "--network-name", iface, "--network-cidr", "10.99.0.0/16", "--external-endpoint", "198.18.0.1:51820",
            "--listen-port", "51820", .. dirs]);
        Cli(binary, ["add-cidr", iface, "--name", "humans", "--cidr", "10.99.1.0/24", "--parent", iface, "--yes", .. dirs]);
        return (binary, iface, dirs);
    }

    /// <summary>add-peer with an invitation valid for a day; returns the invitation's (temporary) key pair.</summary>
    private KeyPair AddInvitation(string binary, string iface, string[] dirs, string name, string? file = null)
    {
        file ??= Path.Combine(_root, name + ".toml");
        Cli(binary, ["add-peer", iface, "--name", name, "--cidr", "humans", "--admin", "false", "--auto-ip", "--invite-expires", "1d",
            "--save-config", file, "--yes", .. dirs]);
        return KeyPair.FromPrivate(InterfaceConfig.LoadInvitation(file).Config.Interface.PrivateKey);
    }

    /// <summary>The peer namespace's own wireguard-go with the invitation's temporary key and the server as its peer.</summary>
    private void JoinWithInvitation(string peerNs, string peerIface, InterfaceConfig invite)
    {
        _lab.StartWireGuardGo(peerNs, peerIface);
        NetworkNamespace.Run(NetnsLab.NamespacePath(peerNs), () =>
        {
            using var wireGuard = WireGuardClient.Open(WireGuardBackend.Userspace);
            new InterfaceManager(wireGuard).Up(new InterfaceUpRequest(
                peerIface,
                invite.Interface.PrivateKey,
                invite.Interface.Address,
                null,
                new InterfaceServerPeer(invite.Server.PublicKey, invite.Server.InternalEndpoint.Address,
                    invite.Server.ExternalEndpoint.TryGetIPEndPoint()),
                new NetworkOptions()));
        });
    }

    /// <summary>The server interface's last handshake with <paramref name="key"/> (null: none yet, or no such peer).</summary>
    private static DateTimeOffset? LastHandshake(string iface, WireGuardKey key)
    {
        using var wireGuard = WireGuardClient.Open(WireGuardBackend.Userspace);
        var peer = wireGuard.GetDevice(iface)?.Peers.FirstOrDefault(p => p.PublicKey == key);
        return peer?.LastHandshake is { } at && at > DateTimeOffset.UnixEpoch ? at : null;
    }

    public void Dispose() => TearDown(_server, _serverInterface, _serverNamespace, _lab, _root);

    /// <summary>
    /// Stops the server, deletes its WireGuard device (removing the socket makes wireguard-go exit), kills what is
    /// left in its namespace, then the lab and the directory.
    /// </summary>
    internal static void TearDown(NamespacedProcess? server, string? serverInterface, string? serverNamespace, NetnsLab lab, string root)
    {
        try
        {
            server?.Dispose();
            if (serverInterface is not null)
            {
                using var wireGuard = WireGuardClient.Open(WireGuardBackend.Userspace);
                wireGuard.DeleteDevice(serverInterface);
            }

            if (serverNamespace is not null)
            {
                KillProcessesIn(serverNamespace);
            }
        }
        finally
        {
            lab.Dispose();
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
                // Best effort.
            }
        }
    }

    private static ProcessResult Cli(string binary, string[] args) => ProcessRunner.Run(binary, args,
        TimeSpan.FromSeconds(60)).EnsureSuccess();

    /// <summary>The public keys on the server's WireGuard interface, or null while it does not exist.</summary>
    private static List<WireGuardKey>? ServerPeers(string iface)
    {
        using var wireGuard = WireGuardClient.Open(WireGuardBackend.Userspace);
        return wireGuard.GetDevice(iface)?.Peers.Select(p => p.PublicKey).ToList();
    }

    private string ServerLog() => "server log:\n" + _server?.Log;

    /// <summary>SIGTERM (what systemd sends), then the exit code; kills after 20 s.</summary>
    private int StopServer() => _server?.Stop(TimeSpan.FromSeconds(20)) ?? 0;

    /// <summary>Kills what this test started inside its own namespace (the server's wireguard-go if it outlived its socket).</summary>
    private static void KillProcessesIn(string ns)
    {
        var pids = ProcessRunner.Run("ip", ["netns", "pids", ns]).StandardOutput
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (string pid in pids)
        {
            _ = ProcessRunner.Run("kill", ["-KILL", pid]);
        }
    }

    /// <summary>An HttpClient whose sockets are created inside <paramref name="netnsPath"/> (a socket keeps the namespace it was made
    /// in).</summary>
    private static HttpClient PeerHttpClient(string netnsPath)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, token) =>
            {
                var socket = NetworkNamespace.Run(netnsPath, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream,
                    ProtocolType.Tcp));
                try
                {
                    var endpoint = new IPEndPoint(IPAddress.Parse(context.DnsEndPoint.Host), context.DnsEndPoint.Port);
                    await socket.ConnectAsync(endpoint, token);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(15) };
    }

    private Task WaitForAsync(Func<bool> condition, TimeSpan timeout, string what, CancellationToken ct)
        => _server!.WaitUntilAsync(condition, timeout, Poll, what, ServerLog, ct);
}
