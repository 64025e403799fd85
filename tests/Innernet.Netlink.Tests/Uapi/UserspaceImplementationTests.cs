using Innernet.Netlink.Uapi;

namespace Innernet.Netlink.Tests.Uapi;

public sealed class UserspaceImplementationTests : IDisposable
{
    private readonly UapiTempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static Func<string, string?> Env(params (string Name, string Value)[] values) =>
        name => values.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void Choose_Precedence_ConfiguredThenUserspaceVarThenQuickVarThenWireguardGo()
    {
        var both = Env(("WG_USERSPACE_IMPLEMENTATION", "/opt/a"), ("WG_QUICK_USERSPACE_IMPLEMENTATION", "/opt/b"));
        Assert.Equal("/opt/c", UserspaceImplementation.Choose("/opt/c", both));
        Assert.Equal("/opt/a", UserspaceImplementation.Choose(null, both));
        Assert.Equal("/opt/b", UserspaceImplementation.Choose(null, Env(("WG_QUICK_USERSPACE_IMPLEMENTATION", "/opt/b"))));
        Assert.Equal("/opt/b", UserspaceImplementation.Choose("",
            Env(("WG_USERSPACE_IMPLEMENTATION", ""), ("WG_QUICK_USERSPACE_IMPLEMENTATION", "/opt/b"))));
        Assert.Equal("wireguard-go", UserspaceImplementation.Choose(null, Env()));
    }

    [Fact]
    public void Locate_SearchesPathInOrder()
    {
        Directory.CreateDirectory(_dir.File("a"));
        Directory.CreateDirectory(_dir.File("b"));
        File.WriteAllText(_dir.File("b/wg-impl"), string.Empty);
        File.WriteAllText(_dir.File("a/other"), string.Empty);

        Assert.Equal(_dir.File("b/wg-impl"), UserspaceImplementation.Locate("wg-impl", $"{_dir.File("a")}::{_dir.File("b")}"));
        Assert.Equal(_dir.File("a/other"), UserspaceImplementation.Locate(_dir.File("a/other"), null));
    }

    [Fact]
    public void Locate_Missing_ThrowsWithTheInnernetMessage()
    {
        var e = Assert.Throws<FileNotFoundException>(() => UserspaceImplementation.Locate("wireguard-go", _dir.Path));
        Assert.Equal("Cannot find \"wireguard-go\". Specify a custom path with WG_USERSPACE_IMPLEMENTATION.", e.Message);
        Assert.Equal("wireguard-go", e.FileName);
        Assert.Throws<FileNotFoundException>(() => UserspaceImplementation.Locate(_dir.File("nope/wireguard-go"), "/usr/bin"));
    }

    [Fact]
    public void Run_PassesArgumentsVerbatimAndEnvironment_WithoutShell()
    {
        var impl = FakeImplementation.Create(_dir, "exit 0");
        UserspaceImplementation.Run(impl.Path, ["wg0; touch /tmp/x"],
            new Dictionary<string, string> { ["WG_TUN_NAME_FILE"] = "/x/y.name" }, TimeSpan.FromSeconds(10));
        Assert.Equal(["n=1 args=wg0; touch /tmp/x tun_name_file=/x/y.name foreground=unset"], impl.Runs);
    }

    [Fact]
    public void Run_NonzeroExit_ThrowsWithExitCodeAndStderr()
    {
        var impl = FakeImplementation.Create(_dir, "echo 'ERROR: (wg0) Failed to create TUN device: operation not permitted' >&2\nexit 1");
        var e = Assert.Throws<IOException>(() =>
            UserspaceImplementation.Run(impl.Path, ["wg0"], new Dictionary<string, string>(), TimeSpan.FromSeconds(10)));
        Assert.Contains("exited with code 1", e.Message);
        Assert.Contains("Failed to create TUN device: operation not permitted", e.Message);
        Assert.Contains(impl.Path, e.Message);
    }

    [Fact]
    public void Run_ProgramThatNeverExits_IsKilledAfterTheTimeout()
    {
        var impl = FakeImplementation.Create(_dir, "exec sleep 60");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var e = Assert.Throws<IOException>(() =>
            UserspaceImplementation.Run(impl.Path, ["wg0"], new Dictionary<string, string>(), TimeSpan.FromMilliseconds(300)));
        Assert.Contains("did not exit within", e.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Fact]
    public void Run_DaemonThatKeepsTheOutputOpen_DoesNotBlock()
    {
        // Like a daemonizing implementation that hands our pipes to its background child.
        var impl = FakeImplementation.Create(_dir, "sleep 5 &\nexit 0");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        UserspaceImplementation.Run(impl.Path, ["wg0"], new Dictionary<string, string>(), TimeSpan.FromSeconds(10));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"took {clock.Elapsed}");
    }

    [Fact]
    public void Run_NotExecutable_ThrowsIOException()
    {
        string path = _dir.File("plain");
        File.WriteAllText(path, "#!/bin/sh\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var e = Assert.Throws<IOException>(() =>
            UserspaceImplementation.Run(path, ["wg0"], new Dictionary<string, string>(), TimeSpan.FromSeconds(5)));
        Assert.Contains("Cannot start", e.Message);
    }
}
