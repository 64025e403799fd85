using System.Globalization;
using System.Text;
using Innernet.Netlink.WireGuard;
using Innernet.Testing;

namespace WgSharp.Tests;

/// <summary>
/// The sample against the real <c>wg</c> (wireguard-tools), both run inside one lab namespace on the same device:
/// every output must be byte for byte what wg prints, and a configuration applied by one must read back through the
/// other. Devices stay down, so nothing is ever sent (handshake and transfer stay zero, keepalives never fire).
/// A concrete subclass brings the device: wireguard-go on the host, the kernel module in the VM.
/// <para>
/// wireguard-go answers each <c>get</c> with its peers in Go map order, which can change from one request to the
/// next; the kernel keeps insertion order. So one comparison runs both tools again (bounded) until a pair of
/// answers agrees: a formatting difference never agrees, a different peer order soon does.
/// </para>
/// </summary>
public abstract class WgCompatibilityTests : IDisposable
{
    private const int Attempts = 30;
    private string? _namespace;
    private int _deviceCounter;

    protected NetnsLab Lab { get; } = new();

    protected string Namespace => _namespace ??= Lab.AddNamespace("c");

    /// <summary>Skips (or fails under CI) when the backend cannot run here.</summary>
    protected abstract void RequirePrerequisites();

    /// <summary>Creates an empty WireGuard device named <paramref name="name"/> in <paramref name="ns"/>, left down.</summary>
    protected abstract void CreateDevice(string ns, string name);

    public void Dispose()
    {
        Lab.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void ShowDump_DeviceConfiguredByWg_IsWgsBytes()
    {
        var setup = ConfigureByWg();

        string dump = AssertSameOutput(["show", setup.Device, "dump"]);

        Assert.Equal(1 + setup.PeerKeys.Count, dump.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.All(setup.PeerKeys, key => Assert.Contains(key, dump, StringComparison.Ordinal));
    }

    [Fact]
    public void ShowConf_DeviceConfiguredByWg_IsWgsBytes()
    {
        var setup = ConfigureByWg();

        string conf = AssertSameOutput(["showconf", setup.Device]);

        Assert.Contains("PrivateKey = " + setup.PrivateKey, conf, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("never", "")]
    [InlineData("always", "never")]
    public void Show_HumanForm_IsWgsBytes(string colorMode, string hideKeys)
    {
        var setup = ConfigureByWg();
        string[] environment = [$"WG_COLOR_MODE={colorMode}", $"WG_HIDE_KEYS={hideKeys}"];

        string text = AssertSameOutput(["show", setup.Device], environment);

        Assert.Contains("persistent keepalive", text, StringComparison.Ordinal);
        Assert.Equal(colorMode == "always", text.Contains('\x1b', StringComparison.Ordinal));
        Assert.Equal(hideKeys == "never", text.Contains(setup.PrivateKey, StringComparison.Ordinal));
    }

    [Fact]
    public void Show_PeersThatTalked_IsWgsBytes()
    {
        RequireTools();
        string other = Lab.AddNamespace("d");
        var (ethA, ethB) = Lab.AddVethPair(Namespace, other);
        Lab.AddAddress(Namespace, ethA, "198.18.0.1/24");
        Lab.AddAddress(other, ethB, "198.18.0.2/24");
        string a = Lab.InterfaceName("ta"), b = Lab.InterfaceName("tb");
        CreateDevice(Namespace, a);
        CreateDevice(other, b);
        var keysA = TestKeys.NewKeyPair();
        var keysB = TestKeys.NewKeyPair();
        string silent = TestKeys.RandomKey().ToBase64();
        string configA = $"[Interface]\nPrivateKey = {keysA.PrivateKey}\nListenPort = 51820\n\n[Peer]\nPublicKey = {silent}\n"
            + $"AllowedIPs = 10.99.0.3/32\n\n"
            + $"[Peer]\nPublicKey = {keysB.PublicKey}\nEndpoint = 198.18.0.2:51821\nAllowedIPs = 10.99.0.2/32\n";
        string configB = $"[Interface]\nPrivateKey = {keysB.PrivateKey}\nListenPort = 51821\n\n"
            + $"[Peer]\nPublicKey = {keysA.PublicKey}\nEndpoint = 198.18.0.1:51820\nAllowedIPs = 10.99.0.1/32\n";
        Lab.Exec(Namespace, "wg", "setconf", a, WriteFile("a.conf", configA)).EnsureSuccess();
        Lab.Exec(other, "wg", "setconf", b, WriteFile("b.conf", configB)).EnsureSuccess();
        Lab.AddAddress(Namespace, a, "10.99.0.1/24");
        Lab.AddAddress(other, b, "10.99.0.2/24");
        Lab.SetLinkUp(Namespace, a);
        Lab.SetLinkUp(other, b);

        var ping = Lab.PingDetailed(Namespace, System.Net.IPAddress.Parse("10.99.0.2"), count: 3, timeout: TimeSpan.FromSeconds(3));
        Assert.True(ping.Succeeded, $"{ping}\n{Lab.DescribeWireGuardGoLogs()}");

        string dump = AssertSameOutput(["show", a, "dump"]);
        string talked = Assert.Single(dump.Split('\n'), l => l.StartsWith(keysB.PublicKey.ToBase64(), StringComparison.Ordinal));
        Assert.NotEqual("0", talked.Split('\t')[4]); // latest handshake
        string text = AssertSameOutput(["show", a], ["WG_COLOR_MODE=never"]);
        Assert.Contains("latest handshake: ", text, StringComparison.Ordinal);
        Assert.Contains(" received, ", text, StringComparison.Ordinal);
        Assert.True(text.IndexOf(keysB.PublicKey.ToBase64(), StringComparison.Ordinal) < text.IndexOf(silent, StringComparison.Ordinal),
            "the peer with a handshake comes first");
    }

    [Fact]
    public void ShowAndShowConf_MissingDevice_FailLikeWg()
    {
        RequireTools();
        string missing = Lab.InterfaceName("none");

        AssertSameOutput(["show", missing], expectSuccess: false);
        AssertSameOutput(["showconf", missing], expectSuccess: false);
        AssertSameOutput(["show", missing, "dump"], expectSuccess: false);
    }

    [Fact]
    public void SetConf_BySample_WgShowConfPrintsTheFileNormalised()
    {
        string device = NewDevice();
        var (input, normalised) = MessyConfig();
        string file = WriteFile("messy.conf", input);

        var set = Sample(["setconf", device, file]);

        Assert.True(set.Succeeded, set.ToString());
        // wireguard-go binds its port even while down: wg applies the same file in a namespace of its own.
        string other = Lab.AddNamespace("s");
        Assert.Equal(WgWarnings(NewDevice(other), file, other), set.StandardError);
        AssertEventuallyPrints(() => Wg(["showconf", device]), normalised);
    }

    [Fact]
    public void SetConf_ByWg_SampleShowConfPrintsTheFileNormalised()
    {
        string device = NewDevice();
        var (input, normalised) = MessyConfig();
        string file = WriteFile("messy.conf", input);

        Wg(["setconf", device, file]).EnsureSuccess();

        AssertEventuallyPrints(() => Sample(["showconf", device]), normalised);
    }

    [Fact]
    public void SetConf_OverAnotherConfiguration_ReplacesEverything()
    {
        string device = NewDevice();
        var (input, _) = MessyConfig();
        Wg(["setconf", device, WriteFile("first.conf", input)]).EnsureSuccess();
        string peer = TestKeys.RandomKey().ToBase64();
        string second = $"[Interface]\n\n[Peer]\nPublicKey = {peer}\nAllowedIPs = 10.20.0.0/16\n";

        Sample(["setconf", device, WriteFile("second.conf", second)]).EnsureSuccess();

        // No ListenPort in the file means port 0, a random one: compare everything else.
        string shown = Wg(["showconf", device]).EnsureSuccess().StandardOutput;
        Assert.Equal(second, WithoutListenPort(shown));
    }

    [Fact]
    public void Set_SameArgumentsAsWg_LeaveTheSameDevice()
    {
        string other = Lab.AddNamespace("s"); // the same port on both devices: wireguard-go binds it even while down
        string bySample = NewDevice();
        string byWg = NewDevice(other);
        var keys = TestKeys.NewKeyPair();
        string keyFile = WriteFile("private.key", keys.PrivateKey.ToBase64() + "\n");
        string emptyFile = WriteFile("empty.key", "");
        string a = TestKeys.RandomKey().ToBase64(), b = TestKeys.RandomKey().ToBase64(), c = TestKeys.RandomKey().ToBase64();
        string port = Random.Shared.Next(20000, 60000).ToString(CultureInfo.InvariantCulture);
        string[][] steps =
        [
            ["private-key", keyFile, "listen-port", port],
            ["peer", a, "allowed-ips", "10.30.1.0/24,fd00:30::/48", "endpoint", "127.0.0.1:40001", "persistent-keepalive", "25"],
            ["peer", b, "endpoint", "[::1]:40002", "allowed-ips", " 10.30.2.9/32 , 10.30.3.0/24 ", "peer", c],
            ["peer", a, "allowed-ips", "10.30.9.0/24", "persistent-keepalive", "off"],
            ["peer", c, "remove", "peer", b, "allowed-ips", ""],
            ["listen-port", "0", "private-key", emptyFile],
            ["private-key", keyFile, "listen-port", port, "peer", c, "persistent-keepalive", "7"],
        ];

        foreach (string[] step in steps)
        {
            Sample(["set", bySample, .. step]).EnsureSuccess();
            Wg(["set", byWg, .. step], ns: other).EnsureSuccess();
            string expected = Wg(["showconf", byWg], ns: other).EnsureSuccess().StandardOutput;
            AssertEventuallyPrints(() => Wg(["showconf", bySample]), expected, ignoreListenPort: step.Contains("0"));
        }
    }

    /// <summary>A new device configured by <c>wg setconf</c>: three peers covering every field wg prints.</summary>
    protected Setup ConfigureByWg()
    {
        string device = NewDevice();
        var keys = TestKeys.NewKeyPair();
        string[] peers = [TestKeys.RandomKey().ToBase64(), TestKeys.RandomKey().ToBase64(), TestKeys.RandomKey().ToBase64()];
        string psk = TestKeys.RandomKey().ToBase64();
        int port = Random.Shared.Next(20000, 60000);
        string config = $"""
            [Interface]
            PrivateKey = {keys.PrivateKey.ToBase64()}
            ListenPort = {port}
            FwMark = 0x1f2e

            [Peer]
            PublicKey = {peers[0]}
            PresharedKey = {psk}
            AllowedIPs = 10.10.1.0/24, fd00:10:1::/64, 10.10.2.7/32, 0.0.0.0/0
            Endpoint = 127.0.0.1:{port + 1}
            PersistentKeepalive = 25

            [Peer]
            PublicKey = {peers[1]}
            AllowedIPs = 2001:db8:0:0:1:0:0:1/128, fd00:0:0:1::/64, ::/0
            Endpoint = [::1]:{port + 2}
            PersistentKeepalive = 3661

            [Peer]
            PublicKey = {peers[2]}

            """;
        Wg(["setconf", device, WriteFile("wg.conf", config)]).EnsureSuccess();
        return new Setup(device, keys.PrivateKey.ToBase64(), peers);
    }

    /// <summary>
    /// A configuration written the way people write them (comments, odd case and spacing, host bits, AllowedIPs over two
    /// lines), and what <c>wg showconf</c> prints for it.
    /// </summary>
    private static (string Input, string Normalised) MessyConfig()
    {
        string privateKey = TestKeys.NewKeyPair().PrivateKey.ToBase64();
        string a = TestKeys.RandomKey().ToBase64(), b = TestKeys.RandomKey().ToBase64(), c = TestKeys.RandomKey().ToBase64();
        string psk = TestKeys.RandomKey().ToBase64();
        int port = Random.Shared.Next(20000, 60000);
        string input = $"""
            # written by hand
            [interface]
              privatekey = {privateKey}   # the device's key
            listenport={port}
            FWMARK = 0x2A

            [PEER]
            PublicKey={a}
            AllowedIPs = 10.10.1.7/24, fd00:10:1::1/64
            allowedips = 10.10.2.7
            Endpoint = 127.0.0.1:{port + 1}
            PersistentKeepalive = 25
            PresharedKey = {psk}
            [Peer]
            PublicKey = {b}
            AllowedIPs = 2001:db8:0:0:1:0:0:1/128,FD00:0:0:1:0:0:0:0/64
            Endpoint = [::1]:{port + 2}
            PersistentKeepalive = off

            [Peer]
            PublicKey = {c}
            """;
        string normalised = $"""
            [Interface]
            ListenPort = {port}
            FwMark = 0x2a
            PrivateKey = {privateKey}

            [Peer]
            PublicKey = {a}
            PresharedKey = {psk}
            AllowedIPs = 10.10.1.0/24, fd00:10:1::/64, 10.10.2.7/32
            Endpoint = 127.0.0.1:{port + 1}
            PersistentKeepalive = 25

            [Peer]
            PublicKey = {b}
            AllowedIPs = 2001:db8::1:0:0:1/128, fd00:0:0:1::/64
            Endpoint = [::1]:{port + 2}

            [Peer]
            PublicKey = {c}

            """;
        return (input, normalised);
    }

    protected string NewDevice(string? ns = null)
    {
        RequireTools();
        string name = Lab.InterfaceName("c" + Interlocked.Increment(ref _deviceCounter).ToString(CultureInfo.InvariantCulture));
        CreateDevice(ns ?? Namespace, name);
        return name;
    }

    protected void RequireTools()
    {
        RequirePrerequisites();
        Prerequisites.Require(
            Prerequisites.FindOnPath("wg") is not null, "needs wg on PATH (wireguard-tools; ./build.sh setup installs it)");
    }

    /// <summary>What wg itself writes to stderr (its warnings) when it applies <paramref name="file"/> to
    /// <paramref name="device"/>.</summary>
    private string WgWarnings(string device, string file, string ns)
    {
        var result = Wg(["setconf", device, file], ns: ns);
        Assert.True(result.Succeeded, result.ToString());
        Assert.NotEmpty(result.StandardError);
        return result.StandardError;
    }

    protected string WriteFile(string name, string text)
    {
        string path = Path.Combine(Lab.LogDirectory, name);
        File.WriteAllText(path, text, new UTF8Encoding(false));
        return path;
    }

    private ProcessResult Wg(string[] args, string[]? environment = null, string? ns = null) => Run("wg", args, environment, ns);

    private ProcessResult Sample(string[] args, string[]? environment = null) => RunSample(Namespace, environment ?? [], args);

    /// <summary>Runs the sample in <paramref name="ns"/> with the extra environment (<c>NAME=value</c>); by default the built
    /// binary, as a user runs it.</summary>
    protected virtual ProcessResult RunSample(string ns, string[] environment, string[] args) =>
        Lab.Exec(ns, "env", [.. environment, WgSharpBinary.Path, .. args]);

    private ProcessResult Run(string program, string[] args, string[]? environment, string? ns) =>
        Lab.Exec(ns ?? Namespace, "env", [.. environment ?? [], program, .. args]);

    /// <summary>
    /// Runs wg and the sample with the same arguments until one pair of answers agrees byte for byte (stdout, stderr,
    /// exit code); returns wg's stdout.
    /// </summary>
    protected string AssertSameOutput(string[] args, string[]? environment = null, bool expectSuccess = true)
    {
        ProcessResult wg = null!, sample = null!;
        for (int attempt = 0; attempt < Attempts; attempt++)
        {
            wg = Wg(args, environment);
            sample = Sample(args, environment);
            if (wg.ExitCode == sample.ExitCode && wg.StandardOutput == sample.StandardOutput
                && Normalise(wg.StandardError) == Normalise(sample.StandardError))
            {
                Assert.Equal(expectSuccess, wg.Succeeded);
                return wg.StandardOutput;
            }
        }

        Assert.Equal(wg.ExitCode, sample.ExitCode);
        Assert.Equal(Normalise(wg.StandardError), Normalise(sample.StandardError));
        Assert.Equal(wg.StandardOutput, sample.StandardOutput);
        return wg.StandardOutput;
    }

    /// <summary>
    /// Polls <paramref name="show"/> (bounded) until it prints <paramref name="expected"/>, peers in any order: wireguard-go
    /// lists its peers in Go's map order, which changes from one read to the next.
    /// </summary>
    private static void AssertEventuallyPrints(Func<ProcessResult> show, string expected, bool ignoreListenPort = false)
    {
        string Strip(string text) => PeersSorted(ignoreListenPort ? WithoutListenPort(text) : text);

        string last = "";
        for (int attempt = 0; attempt < Attempts; attempt++)
        {
            last = show().EnsureSuccess().StandardOutput;
            if (Strip(last) == Strip(expected))
            {
                return;
            }
        }

        Assert.Equal(Strip(expected), Strip(last));
    }

    /// <summary>A showconf text with its <c>[Peer]</c> sections in ordinal order (the interface section first, as printed).</summary>
    private static string PeersSorted(string conf)
    {
        string[] sections = conf.Split("\n[Peer]\n");
        var peers = sections.Skip(1).Select(p => p.TrimEnd('\n')).Order(StringComparer.Ordinal);
        return string.Join("\n[Peer]\n", sections.Take(1).Concat(peers));
    }

    /// <summary>A showconf text without its <c>ListenPort</c> line (port 0 binds a random port).</summary>
    private static string WithoutListenPort(string conf) =>
        string.Join('\n', conf.Split('\n').Where(l => !l.StartsWith("ListenPort = ", StringComparison.Ordinal)));

    /// <summary>wg names itself in usage lines by its argv[0]; the sample by its own name.</summary>
    private static string Normalise(string stderr) =>
        stderr.Replace("Usage: wg ", "Usage: ", StringComparison.Ordinal)
            .Replace($"Usage: {WgTool.ProgramName} ", "Usage: ", StringComparison.Ordinal);

    protected sealed record Setup(string Device, string PrivateKey, IReadOnlyList<string> PeerKeys);
}
