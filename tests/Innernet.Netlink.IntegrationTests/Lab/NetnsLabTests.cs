using System.Net;
using Innernet.Testing;

namespace Innernet.Netlink.IntegrationTests.Lab;

/// <summary>The namespace lab keeps its promises: own names, nothing in the root namespace, full cleanup.</summary>
[Trait(Layers.Name, Layers.Host)]
public sealed class NetnsLabTests
{
    [Fact]
    public void Prefix_NewLab_IsInnPlusSixHexDigits()
    {
        using var lab = new NetnsLab();

        Assert.Matches("^inn[0-9a-f]{6}$", lab.Prefix);
        Assert.NotEqual(lab.Prefix, new NetnsLab().Prefix);
    }

    [Fact]
    public void InterfaceName_SuffixTooLong_Throws()
    {
        using var lab = new NetnsLab();

        Assert.Equal(15, lab.InterfaceName("abcdef").Length);
        Assert.Throws<ArgumentException>(() => lab.InterfaceName("abcdefg"));
    }

    [Fact]
    public void AddNamespace_Created_HasLoopbackUpAndNoRoutes()
    {
        Prerequisites.RequireRoot();
        using var lab = new NetnsLab();

        string ns = lab.AddNamespace("a");

        Assert.True(File.Exists(NetnsLab.NamespacePath(ns)));
        Assert.Contains("UP", lab.Exec(ns, "ip", "-br", "link", "show", "lo").EnsureSuccess().StandardOutput, StringComparison.Ordinal);
        Assert.Equal(string.Empty, lab.Exec(ns, "ip", "route", "show").EnsureSuccess().StandardOutput.Trim());
        Assert.True(lab.Ping(ns, IPAddress.Loopback));
    }

    [Fact]
    public void AddVethPair_TwoNamespaces_NothingInRootNamespaceAndPingWorks()
    {
        Prerequisites.RequireRoot();
        using var lab = new NetnsLab();
        string a = lab.AddNamespace("a");
        string b = lab.AddNamespace("b");

        var (ifA, ifB) = lab.AddVethPair(a, b);
        lab.AddAddress(a, ifA, "198.18.0.1/24");
        lab.AddAddress(b, ifB, "198.18.0.2/24");

        string rootLinks = ProcessRunner.Run("ip", ["-br", "link"]).EnsureSuccess().StandardOutput;
        Assert.DoesNotContain(lab.Prefix, rootLinks, StringComparison.Ordinal);
        var ping = lab.PingDetailed(a, IPAddress.Parse("198.18.0.2"));
        Assert.True(ping.Succeeded, ping.ToString());
    }

    [Fact]
    public void AttachToBridge_HubWithTwoSpokes_SpokesReachEachOther()
    {
        Prerequisites.RequireRoot();
        using var lab = new NetnsLab();
        string hub = lab.AddNamespace("hub");
        string a = lab.AddNamespace("a");
        string b = lab.AddNamespace("b");
        lab.AddBridge(hub, "br0");
        lab.Sysctl(hub, "net.ipv4.ip_forward", "1");

        string ethA = lab.AttachToBridge(hub, "br0", a, "eth0");
        string ethB = lab.AttachToBridge(hub, "br0", b, "eth0");
        lab.AddAddress(a, ethA, "198.18.1.2/24");
        lab.AddAddress(b, ethB, "198.18.1.3/24");

        Assert.Equal("1", lab.Exec(hub, "sysctl", "-n", "net.ipv4.ip_forward").EnsureSuccess().StandardOutput.Trim());
        var ping = lab.PingDetailed(a, IPAddress.Parse("198.18.1.3"), count: 1, timeout: TimeSpan.FromSeconds(3));
        Assert.True(ping.Succeeded, ping.ToString());
    }

    [Fact]
    public void Exec_NonZeroExit_IsCapturedNotThrown()
    {
        Prerequisites.RequireRoot();
        using var lab = new NetnsLab();
        string ns = lab.AddNamespace("a");

        var result = lab.Exec(ns, "ip", "link", "show", "does-not-exist");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("does-not-exist", result.StandardError, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => result.EnsureSuccess());
    }

    [Fact]
    public void Exec_ForeignNamespace_IsRefused()
    {
        using var lab = new NetnsLab();

        Assert.Throws<ArgumentException>(() => lab.Exec("not-mine", "true"));
    }

    [Fact]
    public void ExecWithTimeout_HangingProgram_IsKilled()
    {
        Prerequisites.RequireRoot();
        using var lab = new NetnsLab();
        string ns = lab.AddNamespace("a");

        Assert.Throws<TimeoutException>(() => lab.ExecWithTimeout(TimeSpan.FromMilliseconds(300), ns, "sleep", "30"));
    }

    [Fact]
    public void StartWireGuardGo_InNamespace_SocketAppearsAndTunLivesInNamespace()
    {
        Prerequisites.RequireWireGuardGo();
        using var lab = new NetnsLab();
        string ns = lab.AddNamespace("a");
        string wgName = lab.InterfaceName("wg0");

        var wg = lab.StartWireGuardGo(ns, wgName);

        Assert.True(File.Exists(wg.SocketPath));
        Assert.False(wg.HasExited);
        Assert.Equal(0, lab.Exec(ns, "ip", "link", "show", wgName).ExitCode);
        Assert.NotEqual(0, ProcessRunner.Run("ip", ["link", "show", wgName]).ExitCode);
    }

    [Fact]
    public void StartWireGuardGo_SocketNameInUse_FailsFastWithLog()
    {
        Prerequisites.RequireWireGuardGo();
        using var lab = new NetnsLab();
        string a = lab.AddNamespace("a");
        string b = lab.AddNamespace("b");
        string wgName = lab.InterfaceName("wg0");
        lab.StartWireGuardGo(a, wgName);

        var started = System.Diagnostics.Stopwatch.StartNew();
        var error = Assert.Throws<InvalidOperationException>(() => lab.StartWireGuardGo(b, wgName));

        Assert.True(started.Elapsed < TimeSpan.FromSeconds(4), $"took {started.Elapsed}");
        Assert.Contains("already in use", error.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(WireGuardGoSockets.PathFor(wgName)), "the first instance's socket must survive");
    }

    [Fact]
    public void StartWireGuardGo_ProcessExitsEarly_FailsFastWithLog()
    {
        Prerequisites.RequireWireGuardGo();
        using var lab = new NetnsLab();
        string ns = lab.AddNamespace("a");
        string other = lab.AddNamespace("b");
        lab.AddVethPair(ns, other, interfaceA: lab.InterfaceName("wg0")); // name taken by a veth: no tun possible

        var started = System.Diagnostics.Stopwatch.StartNew();
        var error = Assert.ThrowsAny<Exception>(() => lab.StartWireGuardGo(ns, lab.InterfaceName("wg0")));

        Assert.True(started.Elapsed < TimeSpan.FromSeconds(4), $"took {started.Elapsed}: {error}");
        Assert.IsType<InvalidOperationException>(error);
        Assert.Contains("exited", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dispose_AfterWireGuardGo_ProcessGoneSocketRemovedNamespacesDeleted()
    {
        Prerequisites.RequireWireGuardGo();
        var lab = new NetnsLab();
        string a = lab.AddNamespace("a");
        string b = lab.AddNamespace("b");
        lab.AddVethPair(a, b);
        var wg = lab.StartWireGuardGo(a, lab.InterfaceName("wg0"));
        int pid = wg.Pid;

        lab.Dispose();
        lab.Dispose(); // idempotent

        Assert.False(Directory.Exists($"/proc/{pid}") && File.ReadAllText($"/proc/{pid}/comm").Trim() == "wireguard-go");
        Assert.False(File.Exists(wg.SocketPath));
        Assert.False(File.Exists(NetnsLab.NamespacePath(a)));
        Assert.False(File.Exists(NetnsLab.NamespacePath(b)));
        Assert.False(Directory.Exists(lab.LogDirectory));
        Assert.DoesNotContain(lab.Prefix, ProcessRunner.Run("ip", ["netns", "list"]).StandardOutput, StringComparison.Ordinal);
    }
}
