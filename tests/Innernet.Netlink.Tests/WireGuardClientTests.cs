using Innernet.Netlink.WireGuard;
using Innernet.Testing;

namespace Innernet.Netlink.Tests;

public class WireGuardClientTests
{
    [Fact]
    public void Open_Userspace_ReturnsUserspaceBackendWithOptions()
    {
        using var control = WireGuardClient.Open(WireGuardBackend.Userspace,
            new WireGuardClientOptions { SocketDirectory = "/nonexistent/wg" });
        var userspace = Assert.IsType<UserspaceWireGuardClient>(control);
        Assert.Equal(WireGuardBackend.Userspace, userspace.Backend);
        Assert.Equal("/nonexistent/wg", userspace.SocketDirectory);
    }

    [Fact]
    public void Open_Default_IsAutoAndOpensNoKernelSocketYet()
    {
        using var control = WireGuardClient.Open();
        var auto = Assert.IsType<AutoWireGuardClient>(control);
        Assert.Equal(WireGuardBackend.Auto, auto.Backend);
        Assert.False(auto.KernelOpened);
    }

    [Fact]
    public void Open_Kernel_ReturnsKernelBackendOrExplainsTheMissingModule()
    {
        WireGuardBackend? opened = null;
        NetlinkException? failure = null;
        try
        {
            using var control = WireGuardClient.Open(WireGuardBackend.Kernel);
            opened = control.Backend;
        }
        catch (NetlinkException e)
        {
            failure = e;
        }

        // Which answer is right is the kernel's to say, read after opening: the family lookup loads the module
        // where it is installed but not loaded yet.
        if (Prerequisites.KernelWireGuardLoaded)
        {
            Assert.Null(failure);
            Assert.Equal(WireGuardBackend.Kernel, opened);
        }
        else
        {
            Assert.Null(opened);
            Assert.NotNull(failure);
            Assert.Equal(Errno.ENOENT, failure.Errno);
            Assert.Contains("kernel WireGuard module is not available", failure.Message);
            Assert.DoesNotContain("--backend", failure.Message); // CLI advice belongs to the CLI layer, not the library
        }
    }

    [Fact]
    public async Task AsyncDefaults_RunTheSyncMembers_SameResults()
    {
        var token = TestContext.Current.CancellationToken;
        using var client = new InMemoryWireGuard(WireGuardBackend.Kernel);

        Assert.True(await client.CreateDeviceAsync("wg0", token));
        Assert.False(await client.CreateDeviceAsync("wg0", token));
        await client.ConfigureDeviceAsync("wg0", new DeviceConfig { ListenPort = 51820 }, token);
        Assert.Equal(["wg0"], await client.ListDevicesAsync(token));
        Assert.Equal(WireGuardDeviceText.Of(client.GetDevice("wg0")), WireGuardDeviceText.Of(await client.GetDeviceAsync("wg0", token)));
        Assert.Equal((ushort)51820, (await client.GetDeviceAsync("wg0", token))!.ListenPort);
        Assert.True(await client.DeleteDeviceAsync("wg0", token));
        Assert.False(await client.DeleteDeviceAsync("wg0", token));
        Assert.Null(await client.GetDeviceAsync("wg0", token));
    }

    [Fact]
    public async Task AsyncDefaults_FailureIsInTheTask_NotThrownByTheCall()
    {
        using var client = new InMemoryWireGuard(WireGuardBackend.Kernel);

        var call = client.ConfigureDeviceAsync("wgnone", new DeviceConfig(), TestContext.Current.CancellationToken);

        Assert.True(call.IsFaulted);
        Assert.Equal(Errno.ENODEV, (await Assert.ThrowsAsync<NetlinkException>(() => call.AsTask())).Errno);
    }

    [Fact]
    public async Task AsyncDefaults_CancelledToken_CancelledTaskAndNothingRuns()
    {
        using var client = new InMemoryWireGuard(WireGuardBackend.Kernel);
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();

        var create = client.CreateDeviceAsync("wg0", cancel.Token);
        var configure = client.ConfigureDeviceAsync("wg0", new DeviceConfig(), cancel.Token);

        Assert.True(create.IsCanceled);
        Assert.True(configure.IsCanceled);
        Assert.True((await Assert.ThrowsAnyAsync<OperationCanceledException>(() => create.AsTask())).CancellationToken == cancel.Token);
        Assert.Empty(client.ListDevices());
    }

    [Fact]
    public void Open_UndefinedBackend_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => WireGuardClient.Open((WireGuardBackend)42));

    [Fact]
    public void Options_RejectNonPositiveTimeoutsAndTinyReplyCap()
    {
        var options = new WireGuardClientOptions();
        Assert.Equal(TimeSpan.FromSeconds(30), options.OperationTimeout);
        Assert.Equal(64 * 1024 * 1024, options.MaxReplyBytes);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.OperationTimeout = TimeSpan.Zero);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.StartTimeout = TimeSpan.FromSeconds(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => options.SocketReadyTimeout = TimeSpan.Zero);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxReplyBytes = 15);
    }
}
