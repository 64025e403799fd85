using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Innernet.Netlink.Uapi;
using Innernet.Netlink.WireGuard;
using Innernet.Testing;
using static Innernet.Netlink.Tests.Uapi.UapiTestKeys;

namespace Innernet.Netlink.Tests.Uapi;

/// <summary>
/// The asynchronous members of the userspace backend against an in-process UAPI server on a temp unix socket: the
/// same requests and results as the synchronous ones, and cancellation that closes the connection.
/// </summary>
public sealed class UserspaceAsyncTests : IDisposable
{
    private const string GetReply =
        "private_key=" + PrivateHex + "\n" +
        "listen_port=51999\n" +
        "fwmark=7\n" +
        "public_key=" + PeerAHex + "\n" +
        "preshared_key=" + PresharedHex + "\n" +
        "protocol_version=1\n" +
        "endpoint=[fd00::2]:51820\n" +
        "last_handshake_time_sec=1700000000\n" +
        "last_handshake_time_nsec=500\n" +
        "tx_bytes=10\n" +
        "rx_bytes=20\n" +
        "persistent_keepalive_interval=25\n" +
        "allowed_ip=10.9.0.2/32\n" +
        "allowed_ip=fd00:9::/64\n" +
        "public_key=" + PeerBHex + "\n" +
        "protocol_version=1\n" +
        "allowed_ip=10.9.0.3/32\n" +
        "errno=0\n" +
        "\n";

    /// <summary>Long enough that only the token can end a wait in these tests.</summary>
    private static readonly TimeSpan LongTimeout = TimeSpan.FromMinutes(2);

    /// <summary>A bound on waiting for the other side; a healthy run takes milliseconds.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly FakeUapiServers _servers = new();
    private readonly UapiTempDirectory _dir;

    public UserspaceAsyncTests() => _dir = _servers.Directory;

    public void Dispose() => _servers.Dispose();

    private UserspaceWireGuardClient Client() => ClientWith(_dir.File("no-such-implementation"));

    private FakeUapiServer Serve(string name, Func<string, byte[]?> respond, bool holdOpen = false) =>
        _servers.Serve(name, respond, holdOpen);

    private static DeviceConfig SampleConfig() => new()
    {
        PrivateKey = Private,
        ListenPort = 51820,
        FirewallMark = 3,
        ReplacePeers = true,
        Peers =
        {
            new PeerConfig
            {
                PublicKey = PeerA,
                Endpoint = new IPEndPoint(IPAddress.Parse("198.18.0.9"), 5),
                PersistentKeepaliveInterval = 10,
                ReplaceAllowedIPs = true,
                AllowedIPs = { IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("fd00::/16") },
            },
            new PeerConfig { PublicKey = PeerB, Remove = true },
        },
    };

    [Fact]
    public async Task GetDeviceAsync_SameRequestAndSameDeviceAsGetDevice()
    {
        var server = Serve("wgtest0", _ => Encoding.ASCII.GetBytes(GetReply));
        using var client = Client();

        var sync = client.GetDevice("wgtest0");
        var async = await client.GetDeviceAsync("wgtest0", TestContext.Current.CancellationToken);

        Assert.Equal(["get=1\n\n", "get=1\n\n"], server.Requests);
        Assert.NotNull(async);
        Assert.Equal(2, async.Peers.Count);
        Assert.Equal(WireGuardDeviceText.Of(sync), WireGuardDeviceText.Of(async));
    }

    [Fact]
    public async Task ConfigureDeviceAsync_SendsTheSameRequestAsConfigureDevice()
    {
        var server = Serve("wgtest0", _ => "errno=0\n\n"u8.ToArray());
        using var client = Client();

        client.ConfigureDevice("wgtest0", SampleConfig());
        await client.ConfigureDeviceAsync("wgtest0", SampleConfig(), TestContext.Current.CancellationToken);

        var requests = server.Requests;
        Assert.Equal(2, requests.Count);
        Assert.StartsWith("set=1\nprivate_key=", requests[0], StringComparison.Ordinal);
        Assert.Equal(requests[0], requests[1]);
    }

    [Fact]
    public async Task ListDevicesAsync_SameAsListDevices_SkipsStaleSockets()
    {
        Serve("wgb", _ => "errno=0\n\n"u8.ToArray());
        Serve("wga", _ => "errno=0\n\n"u8.ToArray());
        FakeUapiServer.CreateStaleSocket(_dir.File("wgstale.sock"));
        using var client = Client();

        var async = await client.ListDevicesAsync(TestContext.Current.CancellationToken);

        Assert.Equal(["wga", "wgb"], async);
        Assert.Equal(client.ListDevices(), async);
    }

    [Fact]
    public async Task Async_MissingOrStaleDevice_SameAnswersAsSync()
    {
        FakeUapiServer.CreateStaleSocket(_dir.File("wgstale.sock"));
        using var client = Client();
        var token = TestContext.Current.CancellationToken;

        Assert.Null(await client.GetDeviceAsync("wgnone", token));
        Assert.Null(await client.GetDeviceAsync("wgstale", token));
        var e = await Assert.ThrowsAsync<NetlinkException>(
            () => client.ConfigureDeviceAsync("wgstale", new DeviceConfig(), token).AsTask());
        Assert.Equal(Errno.ENODEV, e.Errno);
        Assert.Contains("'wgstale'", e.Message);
    }

    [Theory]
    [InlineData("get", "errno=-13\n\n", Errno.EACCES)]
    [InlineData("get", "listen_port=1\n", Errno.EPROTO)]
    [InlineData("get", "listen_port=1\nerrno=0\n\nx", Errno.EPROTO)]
    [InlineData("set", "errno=-98\n\n", Errno.EADDRINUSE)]
    [InlineData("set", "errno=-22\n", Errno.EPROTO)]
    public async Task Async_ErrorReplies_SameErrnoAndMessageAsSync(string operation, string reply, Errno expected)
    {
        Serve("wgtest0", _ => Encoding.ASCII.GetBytes(reply));
        using var client = Client();
        var token = TestContext.Current.CancellationToken;
        var config = new DeviceConfig { ListenPort = 1 };

        var sync = Assert.Throws<WireGuardUapiException>(
            () => _ = operation == "get" ? client.GetDevice("wgtest0") : Configure(client.ConfigureDevice, config));
        var async = await Assert.ThrowsAsync<WireGuardUapiException>(
            async () => _ = operation == "get"
                ? await client.GetDeviceAsync("wgtest0", token)
                : await ConfigureAsync(client.ConfigureDeviceAsync(config: config, name: "wgtest0", cancellationToken: token)));

        Assert.Equal(expected, sync.Errno);
        Assert.Equal(sync.Errno, async.Errno);
        Assert.Equal(sync.Message, async.Message);
    }

    private static WireGuardDevice? Configure(Action<string, DeviceConfig> configure, DeviceConfig config)
    {
        configure("wgtest0", config);
        return null;
    }

    private static async Task<WireGuardDevice?> ConfigureAsync(ValueTask configure)
    {
        await configure;
        return null;
    }

    [Fact]
    public async Task GetDeviceAsync_CancelledMidReply_ThrowsAndClosesTheConnection()
    {
        // Half a reply, then the server stalls with the connection open.
        var server = Serve("wgtest0", _ => Encoding.ASCII.GetBytes(GetReply[..100]), holdOpen: true);
        using var client = Client();
        using var cancel = new CancellationTokenSource();

        var call = client.GetDeviceAsync("wgtest0", cancel.Token).AsTask();
        Assert.True(server.WaitForRequest(Patience), "the server never saw the request");
        Assert.False(call.IsCompleted);
        await cancel.CancelAsync();

        var e = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Equal(cancel.Token, e.CancellationToken);
        Assert.True(server.WaitForHeldConnectionClosed(Patience), "the cancelled call left its connection open");
    }

    [Fact]
    public async Task GetDeviceAsync_HungServer_HonoursTheTokenLongBeforeTheTimeout()
    {
        var server = Serve("wgtest0", _ => null); // reads the request, never answers
        using var client = Client();
        using var cancel = new CancellationTokenSource();

        var clock = Stopwatch.StartNew();
        var call = client.GetDeviceAsync("wgtest0", cancel.Token).AsTask();
        Assert.True(server.WaitForRequest(Patience));
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.True(clock.Elapsed < LongTimeout / 2, $"took {clock.Elapsed}");
        Assert.True(server.WaitForHeldConnectionClosed(Patience));
    }

    [Fact]
    public async Task ConfigureDeviceAsync_CancelledWhileAwaitingTheAnswer_TheWholeRequestWasDelivered()
    {
        var server = Serve("wgtest0", _ => null);
        using var client = Client();
        using var cancel = new CancellationTokenSource();
        var config = SampleConfig();
        for (int i = 0; i < 2000; i++)
        {
            config.Peers[0].AllowedIPs.Add(new IPNetwork(new IPAddress([10, 200, (byte)(i >> 8), (byte)i]), 32));
        }

        var call = client.ConfigureDeviceAsync("wgtest0", config, cancel.Token).AsTask();
        Assert.True(server.WaitForRequest(Patience));
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.True(server.WaitForHeldConnectionClosed(Patience));
        string request = Assert.Single(server.Requests);
        Assert.EndsWith("allowed_ip=10.200.7.207/32\npublic_key=" + PeerBHex + "\nremove=true\n\n", request, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Async_AlreadyCancelledToken_SendsNothing()
    {
        var server = Serve("wgtest0", _ => "errno=0\n\n"u8.ToArray());
        using var client = Client();
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetDeviceAsync("wgtest0", cancel.Token).AsTask());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => client.ConfigureDeviceAsync("wgtest0", SampleConfig(), cancel.Token).AsTask());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.ListDevicesAsync(cancel.Token).AsTask());

        client.GetDevice("wgtest0"); // the first request the server sees is this one
        Assert.Equal(["get=1\n\n"], server.Requests);
    }

    [Fact]
    public async Task GetDeviceAsync_ServerNeverAnswers_TimeoutStillApplies()
    {
        Serve("wgtest0", _ => null);
        using var client = new UserspaceWireGuardClient(new WireGuardClientOptions
        {
            SocketDirectory = _dir.Path,
            Platform = UserspacePlatform.Linux,
            OperationTimeout = TimeSpan.FromMilliseconds(300),
        });

        var e = await Assert.ThrowsAsync<WireGuardUapiException>(
            () => client.GetDeviceAsync("wgtest0", TestContext.Current.CancellationToken).AsTask());
        Assert.Equal(Errno.ETIMEDOUT, e.Errno);
        Assert.Contains("OperationTimeout", e.Message);
    }

    [Fact]
    public async Task ConfigureDeviceAsync_ServerRejectsEarlyAndStopsReading_ReportsItsErrno()
    {
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, 0);
        listener.Bind(new UnixDomainSocketEndPoint(_dir.File("wgtest0.sock")));
        listener.Listen();
        var server = Task.Run(() =>
        {
            using var accepted = listener.Accept();
            var buffer = new byte[64];
            int read = 0;
            while (read < buffer.Length)
            {
                read += accepted.Receive(buffer, read, buffer.Length - read, SocketFlags.None);
            }

            accepted.Send("errno=-98\n\n"u8.ToArray());
        }, TestContext.Current.CancellationToken);
        var config = new DeviceConfig { ListenPort = 51820 };
        for (int i = 0; i < 5000; i++)
        {
            config.Peers.Add(new PeerConfig { PublicKey = PeerA, AllowedIPs = { IPNetwork.Parse($"10.{i / 256}.{i % 256}.0/24") } });
        }

        using var client = Client();
        var e = await Assert.ThrowsAsync<WireGuardUapiException>(
            () => client.ConfigureDeviceAsync("wgtest0", config, TestContext.Current.CancellationToken).AsTask());
        Assert.True(e.Errno == Errno.EADDRINUSE, e.ToString());
        await server.WaitAsync(Patience, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task CreateDeviceAsync_StartsTheImplementationAndWaitsForItsSocket()
    {
        string socket = _dir.File("wgtest0.sock");
        var impl = FakeImplementation.Create(_dir, "exit 0");
        using var client = ClientWith(impl.Path);
        var token = TestContext.Current.CancellationToken;
        var daemon = Task.Run(() =>
        {
            Assert.True(impl.WaitForRuns(1, Patience));
            _servers.Track(new FakeUapiServer(socket, _ => "errno=0\n\n"u8.ToArray()));
        }, token);

        Assert.True(await client.CreateDeviceAsync("wgtest0", token));
        await daemon;

        Assert.Equal(["n=1 args=wgtest0 tun_name_file=unset foreground=unset"], impl.Runs);
        Assert.False(await client.CreateDeviceAsync("wgtest0", token));
        Assert.Single(impl.Runs);
    }

    [Fact]
    public async Task CreateDeviceAsync_ImplementationHangs_CancellationKillsIt()
    {
        string pidFile = _dir.File("impl.pid");
        var impl = FakeImplementation.Create(_dir, $"echo $$ > '{pidFile}'\nexec sleep 600");
        using var client = ClientWith(impl.Path);
        using var cancel = new CancellationTokenSource();

        var call = client.CreateDeviceAsync("wgtest0", cancel.Token).AsTask();
        Assert.True(impl.WaitForRuns(1, Patience));
        Assert.True(SpinWait.SpinUntil(() => File.Exists(pidFile) && File.ReadAllText(pidFile).EndsWith('\n'), Patience));
        int pid = int.Parse(File.ReadAllText(pidFile), System.Globalization.CultureInfo.InvariantCulture);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.True(SpinWait.SpinUntil(() => !Directory.Exists($"/proc/{pid}") || IsZombie(pid), Patience), $"pid {pid} still runs");
    }

    [Fact]
    public async Task DeleteDeviceAsync_LiveSocket_RemovesItsFiles_AbsentReturnsFalse()
    {
        Serve("wgtest0", _ => "errno=0\n\n"u8.ToArray());
        File.WriteAllText(_dir.File("wgtest0.name"), "x");
        FakeUapiServer.CreateStaleSocket(_dir.File("wgstale.sock"));
        using var client = Client();
        var token = TestContext.Current.CancellationToken;

        Assert.True(await client.DeleteDeviceAsync("wgtest0", token));
        Assert.False(File.Exists(_dir.File("wgtest0.sock")));
        Assert.False(File.Exists(_dir.File("wgtest0.name")));
        Assert.False(await client.DeleteDeviceAsync("wgtest0", token));
        Assert.False(await client.DeleteDeviceAsync("wgstale", token));
        Assert.False(File.Exists(_dir.File("wgstale.sock")));
    }

    [Fact]
    public async Task DeleteDeviceAsync_CancelledToken_RemovesNothing()
    {
        Serve("wgtest0", _ => "errno=0\n\n"u8.ToArray());
        using var client = Client();
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.DeleteDeviceAsync("wgtest0", cancel.Token).AsTask());
        Assert.True(File.Exists(_dir.File("wgtest0.sock")));
        Assert.Equal(["wgtest0"], client.ListDevices());
    }

    private UserspaceWireGuardClient ClientWith(string implementation) => new(new WireGuardClientOptions
    {
        SocketDirectory = _dir.Path,
        Platform = UserspacePlatform.Linux,
        OperationTimeout = LongTimeout,
        StartTimeout = LongTimeout,
        SocketReadyTimeout = LongTimeout,
        UserspaceImplementation = implementation,
    });

    /// <summary>A killed child that nobody has reaped yet still has a /proc entry, in state Z.</summary>
    private static bool IsZombie(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/stat").Split(") ")[1].StartsWith('Z');
        }
        catch (IOException)
        {
            return true;
        }
    }
}
