using Innernet.Netlink;
using Innernet.Netlink.WireGuard;
using Innernet.Testing;

namespace Innernet.Netlink.IntegrationTests.WireGuard;

/// <summary>
/// The contract against wireguard-go: the lab starts <c>wireguard-go -f</c> inside its own namespace
/// (the backend's own CreateDevice would start it in the caller's, i.e. the root, namespace); the UAPI
/// socket dir /run/wireguard is shared by all namespaces, so the backend needs no setns.
/// </summary>
[Trait(Layers.Name, Layers.Host)]
public sealed partial class UserspaceContractTests : WireGuardContractTests
{
    private string? _namespace;

    protected override bool ReportsPublicKey => true; // with PublicKeyDeriver set below

    protected override void RequirePrerequisites() => Prerequisites.RequireWireGuardGo();

    protected override WireGuardClient OpenControl() =>
        new UserspaceWireGuardClient(new WireGuardClientOptions
        {
            SocketDirectory = WireGuardGoSockets.Directory,
            PublicKeyDeriver = TestKeys.PublicKeyOf,
        });

    protected override void CreateTestDevice(string name)
    {
        Lab.StartWireGuardGo(DeviceNamespace, name, logLevel: "error");
    }

    protected override string DeviceNamespace => _namespace ??= Lab.AddNamespace("u");

    protected override Errno ErrnoOf(IOException exception) => Assert.IsType<WireGuardUapiException>(exception).Errno;

    /// <summary>Debian's wireguard-go (0.0.20220316) predates <c>allowed_ip=-</c>: it refuses the probe.</summary>
    protected override bool RemovesSingleAllowedIPsHere => false;

    protected override string WgShowDump(string name) =>
        ProcessRunner.Run("wg", ["show", name, "dump"]).EnsureSuccess().StandardOutput;

    [Fact]
    public void GetDevice_WithoutPublicKeyDeriver_LeavesPublicKeyNull()
    {
        string name = NewDevice();
        var keys = TestKeys.NewKeyPair();
        Control.ConfigureDevice(name, new DeviceConfig { PrivateKey = keys.PrivateKey });

        using var plain = new UserspaceWireGuardClient(new WireGuardClientOptions { SocketDirectory = WireGuardGoSockets.Directory });
        var device = plain.GetDevice(name);

        Assert.NotNull(device);
        Assert.Equal(keys.PrivateKey, device.PrivateKey);
        Assert.Null(device.PublicKey);
    }

    [Fact]
    public void StaleSocket_AfterSigkill_DeviceIsAbsentAndDeleteRemovesFile()
    {
        string name = NewDevice();
        var process = Lab.WireGuardGoProcesses.Single(p => p.InterfaceName == name);
        System.Diagnostics.Process.GetProcessById(process.Pid).Kill(); // SIGKILL leaves the socket file behind
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(5)), "precondition: wireguard-go killed");
        Assert.True(File.Exists(process.SocketPath), "precondition: a stale socket file");
        Assert.Null(Control.GetDevice(name));
        Assert.DoesNotContain(name, Control.ListDevices());
        Assert.Equal(Errno.ENODEV, Assert.Throws<NetlinkException>(() => Control.ConfigureDevice(name,
            new DeviceConfig { ListenPort = 1 })).Errno);
        Assert.False(Control.DeleteDevice(name));
        Assert.False(File.Exists(process.SocketPath));
    }

    [Fact]
    public void DeleteDevice_WireGuardGoOfLab_ProcessExits()
    {
        string name = NewDevice();
        var process = Lab.WireGuardGoProcesses.Single(p => p.InterfaceName == name);

        Assert.True(Control.DeleteDevice(name));

        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(5)), "wireguard-go should exit once its socket is removed");
        Assert.False(File.Exists(process.SocketPath));
    }
}
