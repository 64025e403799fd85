using Innernet.Netlink.WireGuard;

namespace Innernet.Netlink.Tests;

public class WireGuardControlTests
{
    [Fact]
    public void Open_Userspace_ReturnsUserspaceBackendWithOptions()
    {
        using var control = WireGuardControl.Open(WireGuardBackend.Userspace, new WireGuardControlOptions { SocketDirectory = "/nonexistent/wg" });
        var userspace = Assert.IsType<UserspaceWireGuardControl>(control);
        Assert.Equal(WireGuardBackend.Userspace, userspace.Backend);
        Assert.Equal("/nonexistent/wg", userspace.SocketDirectory);
    }

    [Fact]
    public void Open_Default_IsAutoAndOpensNoKernelSocketYet()
    {
        using var control = WireGuardControl.Open();
        var auto = Assert.IsType<AutoWireGuardControl>(control);
        Assert.Equal(WireGuardBackend.Auto, auto.Backend);
        Assert.False(auto.KernelOpened);
    }

    [Fact]
    public void Open_Kernel_ReturnsKernelBackendOrExplainsTheMissingModule()
    {
        if (KernelWireGuardControl.IsAvailable())
        {
            using var control = WireGuardControl.Open(WireGuardBackend.Kernel);
            Assert.Equal(WireGuardBackend.Kernel, control.Backend);
        }
        else
        {
            var e = Assert.Throws<InvalidOperationException>(() => WireGuardControl.Open(WireGuardBackend.Kernel));
            Assert.Contains("kernel WireGuard module is not available", e.Message);
            Assert.Contains("--backend userspace", e.Message);
        }
    }

    [Fact]
    public void Open_UndefinedBackend_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => WireGuardControl.Open((WireGuardBackend)42));

    [Fact]
    public void Options_RejectNonPositiveTimeoutsAndTinyReplyCap()
    {
        var options = new WireGuardControlOptions();
        Assert.Equal(TimeSpan.FromSeconds(30), options.OperationTimeout);
        Assert.Equal(64 * 1024 * 1024, options.MaxReplyBytes);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.OperationTimeout = TimeSpan.Zero);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.StartTimeout = TimeSpan.FromSeconds(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => options.SocketReadyTimeout = TimeSpan.Zero);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxReplyBytes = 15);
    }
}
