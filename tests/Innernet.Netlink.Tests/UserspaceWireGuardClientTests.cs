using System.Diagnostics;
using System.Net;
using System.Text;
using Innernet.Netlink;
using Innernet.Netlink.Tests.Uapi;
using Innernet.Netlink.Uapi;
using Innernet.Netlink.WireGuard;
using Innernet.Testing;
using static Innernet.Netlink.Tests.Uapi.UapiTestKeys;

namespace Innernet.Netlink.Tests;

/// <summary>The userspace backend end to end against an in-process fake UAPI server on a temp unix socket.</summary>
public sealed class UserspaceWireGuardClientTests : IDisposable
{
    private const string GetReply =
        "private_key=" + PrivateHex + "\n" +
        "listen_port=51999\n" +
        "public_key=" + PeerAHex + "\n" +
        "preshared_key=" + ZeroHex + "\n" +
        "protocol_version=1\n" +
        "endpoint=198.18.0.2:51820\n" +
        "last_handshake_time_sec=0\n" +
        "last_handshake_time_nsec=0\n" +
        "tx_bytes=0\n" +
        "rx_bytes=0\n" +
        "persistent_keepalive_interval=25\n" +
        "allowed_ip=10.9.0.2/32\n" +
        "errno=0\n" +
        "\n";

    private readonly FakeUapiServers _servers = new();
    private readonly UapiTempDirectory _dir;

    public UserspaceWireGuardClientTests() => _dir = _servers.Directory;

    public void Dispose() => _servers.Dispose();

    private WireGuardClientOptions Options(UserspacePlatform platform = UserspacePlatform.Linux) => new()
    {
        SocketDirectory = _dir.Path,
        Platform = platform,
        OperationTimeout = TimeSpan.FromSeconds(5),
        UserspaceImplementation = _dir.File("no-such-implementation"),
    };

    private FakeUapiServer Serve(string name, Func<string, byte[]?> respond) => _servers.Serve(name, respond);

    private FakeUapiServer Serve(string name, string reply) => Serve(name, _ => Encoding.ASCII.GetBytes(reply));

    [Fact]
    public void Backend_IsUserspace()
    {
        using var control = new UserspaceWireGuardClient(Options());
        Assert.Equal(WireGuardBackend.Userspace, control.Backend);
        Assert.Equal(_dir.Path, control.SocketDirectory);
    }

    [Fact]
    public void GetDevice_LiveSocket_SendsGetAndParsesReply()
    {
        var server = Serve("wgtest0", GetReply);
        using var control = new UserspaceWireGuardClient(Options());

        var device = control.GetDevice("wgtest0");

        Assert.NotNull(device);
        Assert.Equal(["get=1\n\n"], server.Requests);
        Assert.Equal("wgtest0", device.Name);
        Assert.Equal(WireGuardBackend.Userspace, device.Backend);
        Assert.Equal(Private, device.PrivateKey);
        Assert.Null(device.PublicKey);
        Assert.Equal(51999, device.ListenPort);
        var peer = Assert.Single(device.Peers);
        Assert.Equal(PeerA, peer.PublicKey);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.18.0.2"), 51820), peer.Endpoint);
        Assert.Equal([IPNetwork.Parse("10.9.0.2/32")], peer.AllowedIPs);
    }

    [Fact]
    public void GetDevice_WithPublicKeyDeriver_FillsPublicKey()
    {
        Serve("wgtest0", GetReply);
        var options = Options();
        options.PublicKeyDeriver = key => key == Private ? PeerC : throw new InvalidOperationException("wrong key");
        using var control = new UserspaceWireGuardClient(options);

        Assert.Equal(PeerC, control.GetDevice("wgtest0")!.PublicKey);
    }

    [Fact]
    public void GetDevice_NoSocket_ReturnsNull()
    {
        using var control = new UserspaceWireGuardClient(Options());
        Assert.Null(control.GetDevice("wgtest0"));
    }

    [Fact]
    public void GetDevice_MissingDirectory_ReturnsNull()
    {
        var options = Options();
        options.SocketDirectory = _dir.File("absent");
        using var control = new UserspaceWireGuardClient(options);
        Assert.Null(control.GetDevice("wgtest0"));
        Assert.Empty(control.ListDevices());
    }

    [Fact]
    public void GetDevice_StaleSocket_ReturnsNullAndListSkipsIt()
    {
        FakeUapiServer.CreateStaleSocket(_dir.File("wgstale.sock"));
        Serve("wglive", GetReply);
        using var control = new UserspaceWireGuardClient(Options());

        Assert.True(File.Exists(_dir.File("wgstale.sock")));
        Assert.Null(control.GetDevice("wgstale"));
        Assert.Equal(["wglive"], control.ListDevices());
        Assert.True(File.Exists(_dir.File("wgstale.sock")), "listing must not delete anything");
    }

    [Fact]
    public void GetDevice_ErrnoReply_ThrowsWithPositiveErrno()
    {
        Serve("wgtest0", "errno=-5\n\n");
        using var control = new UserspaceWireGuardClient(Options());
        var e = Assert.Throws<WireGuardUapiException>(() => control.GetDevice("wgtest0"));
        Assert.Equal(Errno.EIO, e.Errno);
        Assert.Contains(_dir.File("wgtest0.sock"), e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("listen_port=1\n")]
    [InlineData("listen_port=1\nerrno=0\n")]
    [InlineData("garbage\nerrno=0\n\n")]
    public void GetDevice_TruncatedOrGarbageReply_ThrowsEproto(string reply)
    {
        Serve("wgtest0", reply);
        using var control = new UserspaceWireGuardClient(Options());
        var e = Assert.Throws<WireGuardUapiException>(() => control.GetDevice("wgtest0"));
        Assert.Equal(Errno.EPROTO, e.Errno);
    }

    [Fact]
    public void GetDevice_DataAfterTheBlankLine_ThrowsEproto()
    {
        Serve("wgtest0", "errno=0\n\nerrno=0\n\n");
        using var control = new UserspaceWireGuardClient(Options());
        Assert.Equal(Errno.EPROTO, Assert.Throws<WireGuardUapiException>(() => control.GetDevice("wgtest0")).Errno);
    }

    [Fact]
    public void GetDevice_OversizedReply_ThrowsEmsgsize()
    {
        var huge = new StringBuilder();
        while (huge.Length < 64 * 1024)
        {
            huge.Append("unknown_key=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n");
        }

        Serve("wgtest0", huge.Append("errno=0\n\n").ToString());
        var options = Options();
        options.MaxReplyBytes = 16 * 1024;
        using var control = new UserspaceWireGuardClient(options);

        var e = Assert.Throws<WireGuardUapiException>(() => control.GetDevice("wgtest0"));
        Assert.Equal(Errno.EMSGSIZE, e.Errno);
        Assert.Contains("MaxReplyBytes", e.Message);
    }

    [Fact]
    public void GetDevice_LargeReply_IsReadCompletely()
    {
        var reply = new StringBuilder();
        for (int i = 0; i < 3000; i++)
        {
            reply.Append("public_key=").Append($"{i:x8}").Append(new string('b', 56)).Append('\n')
                .Append("allowed_ip=10.").Append(i / 256).Append('.').Append(i % 256).Append(".0/24\n");
        }

        Serve("wgtest0", reply.Append("errno=0\n\n").ToString());
        using var control = new UserspaceWireGuardClient(Options());
        Assert.Equal(3000, control.GetDevice("wgtest0")!.Peers.Count);
    }

    [Fact]
    public void GetDevice_ServerNeverAnswers_TimesOutWithEtimedout()
    {
        var server = Serve("wgtest0", _ => null);
        var options = Options();
        options.OperationTimeout = TimeSpan.FromMilliseconds(300);
        using var control = new UserspaceWireGuardClient(options);

        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<WireGuardUapiException>(() => control.GetDevice("wgtest0"));
        Assert.Equal(Errno.ETIMEDOUT, e.Errno);
        Assert.Contains("OperationTimeout", e.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        Assert.Single(server.Requests);
    }

    [Fact]
    public void GetDevice_ServerAnswersHalfAndStalls_TimesOut()
    {
        var server = new FakeUapiServer(_dir.File("wgtest0.sock"), _ => Encoding.ASCII.GetBytes("listen_port=1\n"), holdOpen: true);
        _servers.Track(server);
        var options = Options();
        options.OperationTimeout = TimeSpan.FromMilliseconds(300);
        using var control = new UserspaceWireGuardClient(options);

        Assert.Equal(Errno.ETIMEDOUT, Assert.Throws<WireGuardUapiException>(() => control.GetDevice("wgtest0")).Errno);
        Assert.Single(server.Requests);
    }

    [Fact]
    public void GetDevice_ServerAnswersHalfAndCloses_ThrowsEproto()
    {
        Serve("wgtest0", "listen_port=1\n");
        using var control = new UserspaceWireGuardClient(Options());
        var e = Assert.Throws<WireGuardUapiException>(() => control.GetDevice("wgtest0"));
        Assert.Equal(Errno.EPROTO, e.Errno);
        Assert.Contains("closed the connection", e.Message);
    }

    [Fact]
    public void ConfigureDevice_SendsOneSetRequest()
    {
        var server = Serve("wgtest0", "errno=0\n\n");
        using var control = new UserspaceWireGuardClient(Options());

        control.ConfigureDevice("wgtest0", new DeviceConfig
        {
            ListenPort = 51820,
            ReplacePeers = true,
            Peers = { new PeerConfig { PublicKey = PeerA, Endpoint = new IPEndPoint(IPAddress.Parse("fd00::1"), 5),
                AllowedIPs = { IPNetwork.Parse("10.0.0.0/8") } } },
        });

        Assert.Equal(
            ["set=1\nlisten_port=51820\nreplace_peers=true\npublic_key=" + PeerAHex + "\nendpoint=[fd00::1]:5\nallowed_ip=10.0.0.0/8\n\n"],
            server.Requests);
    }

    [Fact]
    public void ConfigureDevice_Rejected_ThrowsWithErrno()
    {
        Serve("wgtest0", "errno=-98\n\n");
        using var control = new UserspaceWireGuardClient(Options());
        var e = Assert.Throws<WireGuardUapiException>(() => control.ConfigureDevice("wgtest0", new DeviceConfig { ListenPort = 1 }));
        Assert.Equal(Errno.EADDRINUSE, e.Errno);
        Assert.Contains("set", e.Message);
    }

    [Fact]
    public void ConfigureDevice_ServerRejectsEarlyAndStopsReading_ReportsItsErrno()
    {
        // wireguard-go answers a failed set at the failing line and closes once the rest of the request
        // parses as an unknown operation; a large request then meets a closed socket mid-send.
        using var listener = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, 0);
        listener.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(_dir.File("wgtest0.sock")));
        listener.Listen();
        var server = new Thread(() =>
        {
            using var client = listener.Accept();
            var buffer = new byte[64];
            int read = 0;
            while (read < buffer.Length)
            {
                read += client.Receive(buffer, read, buffer.Length - read, System.Net.Sockets.SocketFlags.None);
            }

            client.Send("errno=-98\n\n"u8.ToArray());
        }) { IsBackground = true };
        server.Start();

        var config = new DeviceConfig { ListenPort = 51820 };
        for (int i = 0; i < 5000; i++)
        {
            config.Peers.Add(new PeerConfig { PublicKey = PeerA, AllowedIPs = { IPNetwork.Parse($"10.{i / 256}.{i % 256}.0/24") } });
        }

        using var control = new UserspaceWireGuardClient(Options());
        var e = Assert.Throws<WireGuardUapiException>(() => control.ConfigureDevice("wgtest0", config));
        Assert.True(e.Errno == Errno.EADDRINUSE, e.ToString());
        Assert.True(server.Join(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void ConfigureDevice_ServerNeverReads_TimesOutInsteadOfBlocking()
    {
        using var listener = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, 0);
        listener.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(_dir.File("wgtest0.sock")));
        listener.Listen();
        var config = new DeviceConfig();
        for (int i = 0; i < 20000; i++)
        {
            config.Peers.Add(new PeerConfig { PublicKey = PeerA, AllowedIPs = { IPNetwork.Parse($"10.{i / 256 % 256}.{i % 256}.0/24") } });
        }

        var options = Options();
        options.OperationTimeout = TimeSpan.FromMilliseconds(300);
        using var control = new UserspaceWireGuardClient(options);

        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<WireGuardUapiException>(() => control.ConfigureDevice("wgtest0", config));
        Assert.Equal(Errno.ETIMEDOUT, e.Errno);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    [Fact]
    public void ConfigureDevice_MissingOrStaleDevice_ThrowsInvalidOperationNamingIt()
    {
        FakeUapiServer.CreateStaleSocket(_dir.File("wgstale.sock"));
        using var control = new UserspaceWireGuardClient(Options());

        var missing = Assert.Throws<NetlinkException>(() => control.ConfigureDevice("wgtest0", new DeviceConfig()));
        Assert.Equal(Errno.ENODEV, missing.Errno);
        Assert.Contains("'wgtest0'", missing.Message);
        var stale = Assert.Throws<NetlinkException>(() => control.ConfigureDevice("wgstale", new DeviceConfig()));
        Assert.Equal(Errno.ENODEV, stale.Errno);
        Assert.Contains("'wgstale'", stale.Message);
    }

    [Fact]
    public void Operations_InvalidName_ThrowArgumentException()
    {
        using var control = new UserspaceWireGuardClient(Options());
        Assert.Throws<ArgumentException>(() => control.GetDevice("../etc"));
        Assert.Throws<ArgumentException>(() => control.GetDevice("sixteen-chars-xx"));
        Assert.Throws<ArgumentException>(() => control.ConfigureDevice("", new DeviceConfig()));
        Assert.Throws<ArgumentException>(() => control.CreateDevice("a b"));
        Assert.Throws<ArgumentException>(() => control.DeleteDevice("a/b"));
    }

    [Fact]
    public void ListDevices_OnlyConnectableSockets_Sorted()
    {
        Serve("wgb", GetReply);
        Serve("wga", GetReply);
        FakeUapiServer.CreateStaleSocket(_dir.File("wgstale.sock"));
        File.WriteAllText(_dir.File("regular.sock"), string.Empty);
        File.WriteAllText(_dir.File("wgc.name"), "utun1");
        using var control = new UserspaceWireGuardClient(Options());

        Assert.Equal(["wga", "wgb"], control.ListDevices());
    }

    [Fact]
    public void DeleteDevice_LiveSocket_RemovesSocketAndNameFile_ReturnsTrue()
    {
        Serve("wgtest0", GetReply);
        File.WriteAllText(_dir.File("wgtest0.name"), "x");
        using var control = new UserspaceWireGuardClient(Options());

        Assert.True(control.DeleteDevice("wgtest0"));
        Assert.False(File.Exists(_dir.File("wgtest0.sock")));
        Assert.False(File.Exists(_dir.File("wgtest0.name")));
        Assert.Null(control.GetDevice("wgtest0"));
    }

    [Fact]
    public void DeleteDevice_Absent_ReturnsFalse_StaleSocketIsRemoved()
    {
        FakeUapiServer.CreateStaleSocket(_dir.File("wgstale.sock"));
        using var control = new UserspaceWireGuardClient(Options());

        Assert.False(control.DeleteDevice("wgtest0"));
        Assert.False(control.DeleteDevice("wgstale"));
        Assert.False(File.Exists(_dir.File("wgstale.sock")));
    }

    [Fact]
    public void CreateDevice_LiveSocket_ReturnsFalseWithoutStartingAnything()
    {
        Serve("wgtest0", GetReply);
        using var control = new UserspaceWireGuardClient(Options());
        Assert.False(control.CreateDevice("wgtest0"));
    }

    [Fact]
    public void CreateDevice_ImplementationMissing_ThrowsWithTheInnernetMessage()
    {
        using var control = new UserspaceWireGuardClient(Options());
        var e = Assert.Throws<FileNotFoundException>(() => control.CreateDevice("wgtest0"));
        Assert.Equal($"Cannot find \"{_dir.File("no-such-implementation")}\". Specify a custom path with WG_USERSPACE_IMPLEMENTATION.",
            e.Message);
    }

    [Fact]
    public void CreateDevice_ImplementationFails_ThrowsWithItsStderr()
    {
        var impl = FakeImplementation.Create(_dir, "echo 'boom: no tun' >&2\nexit 1");
        var options = Options();
        options.UserspaceImplementation = impl.Path;
        using var control = new UserspaceWireGuardClient(options);

        var e = Assert.Throws<IOException>(() => control.CreateDevice("wgtest0"));
        Assert.Contains("boom: no tun", e.Message);
        Assert.Contains("code 1", e.Message);
    }

    [Fact]
    public void CreateDevice_SocketNeverAppears_TimesOut()
    {
        var impl = FakeImplementation.Create(_dir, "exit 0");
        var options = Options();
        options.UserspaceImplementation = impl.Path;
        options.SocketReadyTimeout = TimeSpan.FromMilliseconds(200);
        using var control = new UserspaceWireGuardClient(options);

        var e = Assert.Throws<WireGuardUapiException>(() => control.CreateDevice("wgtest0"));
        Assert.Equal(Errno.ETIMEDOUT, e.Errno);
        Assert.Equal(["n=1 args=wgtest0 tun_name_file=unset foreground=unset"], impl.Runs);
    }

    [Fact]
    public async Task CreateDevice_Linux_StartsImplementationAndPollsUntilSocketIsLive()
    {
        // The socket appears only after the implementation has exited, as with a slow daemon child: CreateDevice is
        // still waiting then, and returns once the socket accepts connections.
        string pidFile = _dir.File("fake-wg-impl.pid");
        var impl = FakeImplementation.Create(_dir, $"echo $$ > '{pidFile}'\nexit 0");
        var options = Options();
        options.UserspaceImplementation = impl.Path;
        options.SocketDirectory = _dir.File("run/wireguard");
        options.SocketReadyTimeout = TimeSpan.FromSeconds(30);
        using var control = new UserspaceWireGuardClient(options);

        var create = Task.Run(() => control.CreateDevice("wgtest0"), TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(() => File.Exists(pidFile) && File.ReadAllText(pidFile).EndsWith('\n'), "the implementation to run");
        string proc = "/proc/" + File.ReadAllText(pidFile).Trim();
        await Eventually.TrueAsync(() => !System.IO.Directory.Exists(proc), "the implementation to exit");
        Assert.False(create.IsCompleted, "CreateDevice returned before any socket existed");
        _servers.Track(FakeUapiServer.Replying(Path.Combine(options.SocketDirectory, "wgtest0.sock"), "errno=0\n\n"));

        Assert.True(await create);
        Assert.Equal(["n=1 args=wgtest0 tun_name_file=unset foreground=unset"], impl.Runs);
        var mode = File.GetUnixFileMode(options.SocketDirectory);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead |
                     UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute, mode);
        Assert.False(control.CreateDevice("wgtest0"));
        Assert.Single(impl.Runs);
        Assert.Equal(["wgtest0"], control.ListDevices());
    }

    [Fact]
    public async Task CreateDevice_MacOS_RunsUtunWithNameFileAndResolvesTheRealName()
    {
        File.WriteAllText(_dir.File("wgtest0.name"), "utun99\n");
        var impl = FakeImplementation.Create(_dir,
            $"test -e '{_dir.File("wgtest0.name")}' && echo stale-name-file-kept >> '{_dir.File("fake-wg-impl.log")}'\nexit 0");
        var options = Options(UserspacePlatform.MacOS);
        options.UserspaceImplementation = impl.Path;
        using var control = new UserspaceWireGuardClient(options);
        FakeUapiServer? server = null;
        var daemon = Task.Run(() =>
        {
            // What wireguard-go does on macOS: pick a utun unit, write its name, bind <real>.sock.
            Assert.True(impl.WaitForRuns(1, TimeSpan.FromSeconds(10)));
            File.WriteAllText(_dir.File("wgtest0.name"), "utun7\n");
            server = _servers.Track(FakeUapiServer.Replying(_dir.File("utun7.sock"), GetReply));
        }, TestContext.Current.CancellationToken);

        Assert.True(control.CreateDevice("wgtest0"));
        await daemon;

        Assert.Equal([$"n=1 args=utun tun_name_file={_dir.File("wgtest0.name")} foreground=unset"], impl.Runs);
        Assert.Equal(["wgtest0"], control.ListDevices());
        Assert.Equal("wgtest0", control.GetDevice("wgtest0")!.Name);
        Assert.Equal(["get=1\n\n"], server!.Requests);

        Assert.True(control.DeleteDevice("wgtest0"));
        Assert.False(File.Exists(_dir.File("utun7.sock")));
        Assert.False(File.Exists(_dir.File("wgtest0.name")));
    }

    [Fact]
    public void Options_AreCopied_LaterChangesDoNotAffectTheBackend()
    {
        var options = Options();
        using var control = new UserspaceWireGuardClient(options);
        options.SocketDirectory = "/elsewhere";
        Assert.Equal(_dir.Path, control.SocketDirectory);
    }

    [Fact]
    public void Dispose_ThenUse_ThrowsObjectDisposed()
    {
        var control = new UserspaceWireGuardClient(Options());
        control.Dispose();
        Assert.Throws<ObjectDisposedException>(() => control.ListDevices());
    }
}
