using System.Text.Json;
using Innernet.Core.Config;
using Innernet.Netlink.WireGuard;
using Innernet.Testing.Networks;

namespace Innernet.Client.Tests.Host;

/// <summary>
/// The BUILT binaries end to end: <c>innernet-server</c> serving in one namespace (wireguard-go), two client
/// namespaces on a bridge underlay (198.18.0.0/24) each running the built <c>inn</c> to install an invitation and
/// fetch; the two peers then ping each other through their tunnel and <c>inn show --json</c> reports the handshake.
/// Client interfaces are named with <c>--name</c> (not <c>--default-name</c>): userspace UAPI sockets live in the
/// shared /run/wireguard, so three interfaces named after the network could not coexist on one machine.
/// </summary>
[Trait(Layers.Name, Layers.Host)]
[Collection(nameof(ClientHostTests))]
[CollectionDefinition(nameof(ClientHostTests), DisableParallelization = true)]
public sealed class ClientHostTests : IDisposable
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);
    private readonly NetnsLab _lab = new();
    private readonly string _root = Path.Combine(Path.GetTempPath(), "inn-client-host-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly List<string> _namespaces = [];
    private readonly List<string> _interfaces = [];
    private NamespacedProcess? _server;

    [Fact]
    public async Task BuiltInn_InstallsAndFetches_PeersPingThroughTheirTunnel()
    {
        Prerequisites.RequireWireGuardGo();
        var ct = TestContext.Current.CancellationToken;
        string serverBinary = InnernetBinaries.Server;
        string inn = InnernetBinaries.Client;

        string serverNs = Track(_lab.AddNamespace("s"));
        string nsA = Track(_lab.AddNamespace("a"));
        string nsB = Track(_lab.AddNamespace("b"));
        string bridge = _lab.InterfaceName("br");
        _lab.AddBridge(serverNs, bridge);
        _lab.AddAddress(serverNs, bridge, "198.18.0.1/24");
        _lab.AddAddress(nsA, _lab.AttachToBridge(serverNs, bridge, nsA), "198.18.0.2/24");
        _lab.AddAddress(nsB, _lab.AttachToBridge(serverNs, bridge, nsB), "198.18.0.3/24");

        string network = TrackInterface(_lab.InterfaceName("s"));
        string ifaceA = TrackInterface(_lab.InterfaceName("a"));
        string ifaceB = TrackInterface(_lab.InterfaceName("b"));
        string[] serverDirs = ["-c", Path.Combine(_root, "server/etc"), "-d", Path.Combine(_root, "server/lib"), "--backend", "userspace"];
        Directory.CreateDirectory(_root);
        Run(serverBinary, ["new", "--network-name", network, "--network-cidr", "10.77.0.0/16", "--external-endpoint", "198.18.0.1:51820",
            "--listen-port", "51820", .. serverDirs]);
        Run(serverBinary, ["add-cidr", network, "--name", "humans", "--cidr", "10.77.1.0/24", "--parent", network, "--yes", .. serverDirs]);
        string inviteA = Path.Combine(_root, "a.toml");
        string inviteB = Path.Combine(_root, "b.toml");
        foreach (var (peer, file) in new[] { ("alice", inviteA), ("bob", inviteB) })
        {
            Run(serverBinary, ["add-peer", network, "--name", peer, "--cidr", "humans", "--admin", "false", "--auto-ip",
                "--invite-expires", "1d", "--save-config", file, "--yes", .. serverDirs]);
        }

        var ipA = InterfaceConfig.LoadInvitation(inviteA).Config.Interface.Address.Address;
        var ipB = InterfaceConfig.LoadInvitation(inviteB).Config.Interface.Address.Address;
        _server = NamespacedProcess.Start(serverNs, serverBinary, ["serve", network, "--no-write-hosts", .. serverDirs]);
        await WaitForAsync(() => DeviceExists(network) && ServerAnswers(serverNs), TimeSpan.FromSeconds(30), "the server to come up", ct);

        string[] DirsOf(string who) => ["--backend", "userspace", "-c", Path.Combine(_root, who, "etc"), "-d",
            Path.Combine(_root, who, "lib")];
        var installA = InNamespace(nsA, inn, [.. DirsOf("a"), "install", inviteA, "--name", ifaceA, "-d", "--no-write-hosts"]);
        Assert.True(installA.Succeeded, $"{installA}\n{ServerLog()}");
        Assert.False(File.Exists(inviteA), "--delete-invite (-d after the verb) removes the invitation");
        var installB = InNamespace(nsB, inn, [.. DirsOf("b"), "install", inviteB, "--name", ifaceB, "-d", "--no-write-hosts"]);
        Assert.True(installB.Succeeded, $"{installB}\n{ServerLog()}");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_root, "a/etc", ifaceA + ".conf")));

        var fetchA = InNamespace(nsA, inn, [.. DirsOf("a"), "fetch", ifaceA, "--no-write-hosts"]);
        Assert.True(fetchA.Succeeded, fetchA.ToString());
        var fetchB = InNamespace(nsB, inn, [.. DirsOf("b"), "fetch", ifaceB, "--no-write-hosts"]);
        Assert.True(fetchB.Succeeded, fetchB.ToString());

        var ping = _lab.PingDetailed(nsA, ipB, count: 3, timeout: TimeSpan.FromSeconds(2));
        Assert.True(ping.Succeeded, $"{ping}\n{fetchA}\n{fetchB}\n{_lab.DescribeWireGuardGoLogs()}");
        Assert.True(_lab.Ping(nsB, ipA, count: 1, timeout: TimeSpan.FromSeconds(2)), "the reverse direction works too");

        var show = InNamespace(nsA, inn, [.. DirsOf("a"), "show", "--json"]);
        Assert.True(show.Succeeded, show.ToString());
        using var json = JsonDocument.Parse(show.StandardOutput);
        var shown = Assert.Single(json.RootElement.GetProperty("interfaces").EnumerateArray());
        Assert.Equal(ifaceA, shown.GetProperty("name").GetString());
        var bob = shown.GetProperty("peers").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "bob");
        Assert.Equal(ipB.ToString(), bob.GetProperty("ip").GetString());
        Assert.True(bob.GetProperty("last_handshake_seconds_ago").GetInt64() <= 60, show.StandardOutput);
        Assert.True(bob.GetProperty("connected").GetBoolean());

        var down = InNamespace(nsA, inn, [.. DirsOf("a"), "down", ifaceA]);
        Assert.True(down.Succeeded, down.ToString());
        Assert.False(DeviceExists(ifaceA));
    }

    public void Dispose()
    {
        try
        {
            _server?.Dispose();
            using (var wireGuard = WireGuardClient.Open(WireGuardBackend.Userspace))
            {
                foreach (string iface in _interfaces)
                {
                    try
                    {
                        wireGuard.DeleteDevice(iface); // removing the socket makes wireguard-go exit
                    }
                    catch (IOException)
                    {
                        // Best effort; the processes are killed below.
                    }
                }
            }

            foreach (string ns in _namespaces)
            {
                KillProcessesIn(ns);
            }

            foreach (string iface in _interfaces)
            {
                File.Delete(Path.Combine("/run/wireguard", iface + ".sock"));
                File.Delete(Path.Combine("/var/run/wireguard", iface + ".sock"));
            }
        }
        finally
        {
            _lab.Dispose();
            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (IOException)
            {
                // Best effort.
            }
        }
    }

    private string Track(string ns)
    {
        _namespaces.Add(ns);
        return ns;
    }

    private string TrackInterface(string iface)
    {
        _interfaces.Add(iface);
        return iface;
    }

    private static ProcessResult Run(string binary, string[] args) =>
        ProcessRunner.Run(binary, args, TimeSpan.FromSeconds(60)).EnsureSuccess();

    private static ProcessResult InNamespace(string ns, string binary, string[] args)
        => ProcessRunner.Run("ip", ["netns", "exec", ns, binary, .. args], TimeSpan.FromSeconds(120));

    private static bool DeviceExists(string iface)
    {
        using var wireGuard = WireGuardClient.Open(WireGuardBackend.Userspace);
        return wireGuard.GetDevice(iface) is not null;
    }

    /// <summary>True once something accepts TCP on the server's API address inside its namespace.</summary>
    private static bool ServerAnswers(string ns)
        => ProcessRunner.Run("ip", ["netns", "exec", ns, "bash", "-c", "exec 3<>/dev/tcp/10.77.0.1/51820"],
            TimeSpan.FromSeconds(5)).Succeeded;

    private string ServerLog() => "server log:\n" + _server?.Log;

    /// <summary>Kills what this test started inside its own namespaces (wireguard-go processes the commands launched).</summary>
    private static void KillProcessesIn(string ns)
    {
        var pids = ProcessRunner.Run("ip", ["netns", "pids", ns]).StandardOutput
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (string pid in pids)
        {
            _ = ProcessRunner.Run("kill", ["-KILL", pid]);
        }
    }

    private Task WaitForAsync(Func<bool> condition, TimeSpan timeout, string what, CancellationToken ct)
        => _server!.WaitUntilAsync(condition, timeout, Poll, what, ServerLog, ct);
}
