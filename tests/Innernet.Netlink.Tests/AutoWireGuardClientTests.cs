using System.Text;
using Innernet.Netlink;
using Innernet.Netlink.Tests.Uapi;
using Innernet.Netlink.Uapi;
using Innernet.Netlink.WireGuard;
using Innernet.Testing;

namespace Innernet.Netlink.Tests;

/// <summary>
/// Backend selection of the composite. The userspace side is real (fake UAPI servers on temp unix
/// sockets); the kernel side is the shared in-memory stand-in, recorded, because the kernel module is only in
/// the VM (the kernel layer of the integration tests covers the real one).
/// </summary>
public sealed class AutoWireGuardClientTests : IDisposable
{
    private const string GetReply = "listen_port=51999\nerrno=0\n\n";

    private readonly UapiTempDirectory _dir = new();
    private readonly List<FakeUapiServer> _servers = [];
    private readonly InMemoryWireGuard _kernelDevices = new(WireGuardBackend.Kernel);
    private readonly RecordingWireGuard _kernel;
    private int _kernelOpens;

    public AutoWireGuardClientTests() => _kernel = new RecordingWireGuard(_kernelDevices);

    public void Dispose()
    {
        foreach (var server in _servers)
        {
            server.Dispose();
        }

        _dir.Dispose();
    }

    private AutoWireGuardClient Auto(bool kernelAvailable = true)
    {
        var options = new WireGuardClientOptions
        {
            SocketDirectory = _dir.Path,
            Platform = UserspacePlatform.Linux,
            UserspaceImplementation = _dir.File("no-such-implementation"),
        };
        return new AutoWireGuardClient(new UserspaceWireGuardClient(options), () =>
        {
            _kernelOpens++;
            return kernelAvailable ? _kernel : null;
        });
    }

    private FakeUapiServer Serve(string name, string reply = GetReply)
    {
        var server = new FakeUapiServer(_dir.File(name + ".sock"), _ => Encoding.ASCII.GetBytes(reply));
        _servers.Add(server);
        return server;
    }

    [Fact]
    public void Backend_IsAuto()
    {
        using var auto = Auto();
        Assert.Equal(WireGuardBackend.Auto, auto.Backend);
    }

    [Fact]
    public void GetDevice_LiveUapiSocket_WinsOverKernel_AndKernelIsNotOpened()
    {
        Serve("wgtest0");
        _kernelDevices.AddDevice("wgtest0");
        using var auto = Auto();

        var device = auto.GetDevice("wgtest0");

        Assert.Equal(WireGuardBackend.Userspace, device!.Backend);
        Assert.Equal(51999, device.ListenPort);
        Assert.False(auto.KernelOpened);
        Assert.Equal(0, _kernelOpens);
        Assert.Empty(_kernel.Calls);
    }

    [Fact]
    public void GetDevice_NoSocket_AsksKernel()
    {
        _kernelDevices.AddDevice("wgtest0");
        using var auto = Auto();

        Assert.Equal(WireGuardBackend.Kernel, auto.GetDevice("wgtest0")!.Backend);
        Assert.Null(auto.GetDevice("wgother"));
        Assert.Equal(1, _kernelOpens);
    }

    [Fact]
    public void GetDevice_StaleSocket_FallsThroughToKernel()
    {
        FakeUapiServer.CreateStaleSocket(_dir.File("wgtest0.sock"));
        _kernelDevices.AddDevice("wgtest0");
        using var auto = Auto();

        Assert.Equal(WireGuardBackend.Kernel, auto.GetDevice("wgtest0")!.Backend);
    }

    [Fact]
    public void GetDevice_NoSocketNoKernel_ReturnsNull()
    {
        using var auto = Auto(kernelAvailable: false);
        Assert.Null(auto.GetDevice("wgtest0"));
        Assert.Null(auto.GetDevice("wgtest1"));
        Assert.Equal(1, _kernelOpens);
    }

    [Fact]
    public void ListDevices_UnionOfBothBackends_Deduplicated()
    {
        Serve("wgb");
        Serve("wga");
        _kernelDevices.AddDevice("wgb");
        _kernelDevices.AddDevice("wgc");
        using var auto = Auto();

        Assert.Equal(["wga", "wgb", "wgc"], auto.ListDevices());
    }

    [Fact]
    public void ListDevices_NoKernel_IsUserspaceOnly()
    {
        Serve("wga");
        using var auto = Auto(kernelAvailable: false);
        Assert.Equal(["wga"], auto.ListDevices());
    }

    [Fact]
    public void ConfigureDevice_RoutesToTheBackendThatHasTheDevice()
    {
        var server = Serve("wguser", "errno=0\n\n");
        _kernelDevices.AddDevice("wgkern");
        using var auto = Auto();

        auto.ConfigureDevice("wguser", new DeviceConfig { ListenPort = 1 });
        Assert.Equal(["set=1\nlisten_port=1\n\n"], server.Requests);
        Assert.Empty(_kernel.Calls);

        var config = new DeviceConfig { ListenPort = 2 };
        auto.ConfigureDevice("wgkern", config);
        Assert.Equal(["configure wgkern"], _kernel.Calls);
        Assert.Same(config, Assert.Single(_kernel.Configs));
        Assert.Equal((ushort)2, _kernelDevices.GetDevice("wgkern")!.ListenPort);
    }

    [Fact]
    public void ConfigureDevice_Nowhere_ThrowsEnodev()
    {
        using (var auto = Auto())
        {
            var e = Assert.Throws<NetlinkException>(() => auto.ConfigureDevice("wgtest0", new DeviceConfig()));
            Assert.Equal(Errno.ENODEV, e.Errno);
            Assert.Contains("'wgtest0'", e.Message);
        }

        using (var auto = Auto(kernelAvailable: false))
        {
            var e = Assert.Throws<NetlinkException>(() => auto.ConfigureDevice("wgtest0", new DeviceConfig()));
            Assert.Equal(Errno.ENODEV, e.Errno);
            Assert.Contains("'wgtest0'", e.Message);
            Assert.Contains("kernel WireGuard module is not available", e.Message);
        }
    }

    [Fact]
    public async Task Async_RouteLikeSync_UserspaceFirstThenKernel()
    {
        var token = TestContext.Current.CancellationToken;
        var server = Serve("wguser", "errno=0\n\n");
        Serve("wgboth");
        _kernelDevices.AddDevice("wgboth");
        _kernelDevices.AddDevice("wgkern");
        using var auto = Auto();

        Assert.Equal(["wgboth", "wgkern", "wguser"], await auto.ListDevicesAsync(token));
        Assert.Equal(WireGuardBackend.Userspace, (await auto.GetDeviceAsync("wgboth", token))!.Backend);
        Assert.Equal(WireGuardBackend.Kernel, (await auto.GetDeviceAsync("wgkern", token))!.Backend);
        Assert.Null(await auto.GetDeviceAsync("wgnone", token));

        await auto.ConfigureDeviceAsync("wguser", new DeviceConfig { ListenPort = 1 }, token);
        Assert.Equal(["set=1\nlisten_port=1\n\n"], server.Requests);
        await auto.ConfigureDeviceAsync("wgkern", new DeviceConfig { ListenPort = 2 }, token);
        Assert.Equal((ushort)2, _kernelDevices.GetDevice("wgkern")!.ListenPort);
        var e = await Assert.ThrowsAsync<NetlinkException>(() => auto.ConfigureDeviceAsync("wgnone", new DeviceConfig(), token).AsTask());
        Assert.Equal(Errno.ENODEV, e.Errno);
    }

    [Fact]
    public async Task CreateAndDeleteAsync_RouteLikeSync()
    {
        var token = TestContext.Current.CancellationToken;
        Serve("wguser");
        using var auto = Auto();

        Assert.False(await auto.CreateDeviceAsync("wguser", token));
        Assert.True(await auto.CreateDeviceAsync("wgkern", token));
        Assert.NotNull(_kernelDevices.GetDevice("wgkern"));
        Assert.True(await auto.DeleteDeviceAsync("wgkern", token));
        Assert.Null(_kernelDevices.GetDevice("wgkern"));
        Assert.True(await auto.DeleteDeviceAsync("wguser", token));
        Assert.False(File.Exists(_dir.File("wguser.sock")));
        Assert.False(await auto.DeleteDeviceAsync("wgnone", token));
    }

    [Fact]
    public void CreateDevice_ExistingUapiDevice_ReturnsFalse()
    {
        Serve("wgtest0");
        using var auto = Auto();
        Assert.False(auto.CreateDevice("wgtest0"));
        Assert.Empty(_kernel.Calls);
    }

    [Fact]
    public void CreateDevice_KernelAvailable_CreatesKernelDevice()
    {
        using var auto = Auto();
        Assert.True(auto.CreateDevice("wgtest0"));
        Assert.Equal(["create wgtest0"], _kernel.Calls);
        Assert.False(auto.CreateDevice("wgtest0"));
    }

    [Fact]
    public void CreateDevice_KernelSaysUnknownDeviceType_FallsBackToUserspace()
    {
        _kernel.CreateError = new NetlinkErrorException(Errno.EOPNOTSUPP, "RTM_NEWLINK wgtest0", "Unknown device type");
        using var auto = Auto();

        // The userspace fallback is attempted: here it fails because the implementation is absent.
        var e = Assert.Throws<FileNotFoundException>(() => auto.CreateDevice("wgtest0"));
        Assert.Contains("no-such-implementation", e.Message);
        Assert.Equal(["create wgtest0"], _kernel.Calls);
    }

    [Fact]
    public void CreateDevice_OtherKernelError_Propagates()
    {
        _kernel.CreateError = new NetlinkErrorException(Errno.EPERM, "RTM_NEWLINK wgtest0");
        using var auto = Auto();
        Assert.Equal(Errno.EPERM, Assert.Throws<NetlinkErrorException>(() => auto.CreateDevice("wgtest0")).Errno);
    }

    [Fact]
    public void CreateDevice_NoKernel_StartsUserspace()
    {
        using var auto = Auto(kernelAvailable: false);
        Assert.Throws<FileNotFoundException>(() => auto.CreateDevice("wgtest0"));
    }

    [Fact]
    public void DeleteDevice_RoutesToTheBackendThatHasTheDevice()
    {
        Serve("wguser");
        _kernelDevices.AddDevice("wgkern");
        using var auto = Auto();

        Assert.True(auto.DeleteDevice("wguser"));
        Assert.False(File.Exists(_dir.File("wguser.sock")));
        Assert.Empty(_kernel.Calls);

        Assert.True(auto.DeleteDevice("wgkern"));
        Assert.Equal(["delete wgkern"], _kernel.Calls);
        Assert.False(auto.DeleteDevice("wgkern"));
    }

    [Fact]
    public void DeleteDevice_StaleSocket_IsCleanedUp_ReturnsFalse()
    {
        FakeUapiServer.CreateStaleSocket(_dir.File("wgtest0.sock"));
        using var auto = Auto(kernelAvailable: false);
        Assert.False(auto.DeleteDevice("wgtest0"));
        Assert.False(File.Exists(_dir.File("wgtest0.sock")));
    }

    [Fact]
    public void KernelBackend_IsOpenedAtMostOnce_AndDisposedWithTheComposite()
    {
        var auto = Auto();
        auto.ListDevices();
        auto.GetDevice("wgtest0");
        auto.ListDevices();
        Assert.Equal(1, _kernelOpens);
        auto.Dispose();
        Assert.True(_kernel.Disposed);
        Assert.Throws<ObjectDisposedException>(() => auto.GetDevice("wgtest0"));
    }
}
