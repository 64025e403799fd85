using Innernet.Netlink;
using Innernet.Netlink.WireGuard;
using Innernet.Testing;

namespace Innernet.Netlink.IntegrationTests.WireGuard;

/// <summary>
/// The contract against the kernel module (inside the VM): a lab namespace, and
/// <see cref="KernelWireGuardClient"/> opened inside it through <see cref="NetworkNamespace.Run{T}"/>,
/// so devices are created by the backend itself, in that namespace.
/// </summary>
[Trait(Layers.Name, Layers.Kernel)]
public sealed class KernelContractTests : WireGuardContractTests
{
    private string? _namespace;

    private string Namespace => _namespace ??= Lab.AddNamespace("k");

    protected override void RequirePrerequisites() => Prerequisites.RequireKernelWireGuard();

    protected override WireGuardClient OpenControl() =>
        NetworkNamespace.Run(NetnsLab.NamespacePath(Namespace), () => KernelWireGuardClient.TryOpen())
        ?? throw new InvalidOperationException("KernelWireGuardClient.TryOpen returned null although the wireguard module is loaded");

    protected override void CreateTestDevice(string name) => Assert.True(Control.CreateDevice(name));

    protected override string DeviceNamespace => Namespace;

    protected override Errno ErrnoOf(IOException exception) => Assert.IsType<NetlinkErrorException>(exception).Errno;

    /// <summary>WGALLOWEDIP_F_REMOVE_ME arrived in Linux 6.16; the VM's Debian kernel (6.12) refuses the probe.</summary>
    protected override bool RemovesSingleAllowedIPsHere => Environment.OSVersion.Version >= new Version(6, 16);

    protected override string WgShowDump(string name) =>
        Lab.Exec(Namespace, "wg", "show", name, "dump").EnsureSuccess().StandardOutput;

    [Fact]
    public void CreateDevice_InsideNamespace_LinkExistsOnlyThere()
    {
        string name = NewDevice();

        Assert.Contains("wireguard", Lab.Exec(Namespace, "ip", "-d", "link", "show", name).EnsureSuccess().StandardOutput,
            StringComparison.Ordinal);
        Assert.NotEqual(0, ProcessRunner.Run("ip", ["link", "show", name]).ExitCode);
        Assert.True(Read(name).InterfaceIndex > 0);
    }

    [Fact]
    public void ConfigureDevice_10000PeersWithEndpointsAndKeepalive_ReadBackIdentical()
    {
        string name = NewDevice();
        var peers = PeerSets.Random(10_000, withEndpointsAndKeepalive: true);

        // No private key: with one, the kernel precomputes a static-static DH per peer (slow under TCG).
        Control.ConfigureDevice(name, new DeviceConfig { Peers = peers });

        PeerSets.AssertMatches(peers, Read(name));
        Assert.Equal(peers.Count, WgShowDump(name).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length - 1);
    }

    [Fact]
    public void NonWireGuardLink_IsNotTreatedAsDevice_AndNeverDeleted()
    {
        RequirePrerequisites();
        string other = Lab.AddNamespace("v");
        var (veth, _) = Lab.AddVethPair(Namespace, other);

        Assert.Null(Control.GetDevice(veth));
        Assert.Null(Control.GetDevice("lo"));
        Assert.DoesNotContain(veth, Control.ListDevices());
        Assert.Equal(Errno.ENODEV, Assert.Throws<NetlinkException>(() =>
            Control.ConfigureDevice(veth, new DeviceConfig { ListenPort = 1 })).Errno);
        Assert.False(Control.DeleteDevice(veth));
        Assert.False(Control.DeleteDevice("lo"));
        Assert.Equal(0, Lab.Exec(Namespace, "ip", "link", "show", veth).ExitCode);
        Assert.Equal(0, Lab.Exec(Namespace, "ip", "link", "show", "lo").ExitCode);
    }

    [Fact]
    public void CreateDevice_NameTakenByNonWireGuardLink_ThrowsEexist()
    {
        // WireGuardClient.CreateDevice: false means "the device already exists". A veth of that name
        // is not the device: reporting false would send the caller on to ConfigureDevice, which fails.
        RequirePrerequisites();
        string other = Lab.AddNamespace("v");
        var (veth, _) = Lab.AddVethPair(Namespace, other);

        Assert.Equal(Errno.EEXIST, Assert.Throws<NetlinkException>(() => Control.CreateDevice(veth)).Errno);
        Assert.Contains("veth", Lab.Exec(Namespace, "ip", "-d", "link", "show", veth).EnsureSuccess().StandardOutput,
            StringComparison.Ordinal);
    }

    [Fact]
    public void ListDevices_OtherNamespace_DoesNotSeeDevice()
    {
        string name = NewDevice();
        string other = Lab.AddNamespace("o");

        using var elsewhere = NetworkNamespace.Run(NetnsLab.NamespacePath(other), () => KernelWireGuardClient.TryOpen());

        Assert.NotNull(elsewhere);
        Assert.DoesNotContain(name, elsewhere.ListDevices());
        Assert.Null(elsewhere.GetDevice(name));
        Assert.Contains(name, Control.ListDevices());
    }
}
