using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Innernet.Netlink;
using Innernet.Netlink.WireGuard;
using Xunit;

namespace Innernet.Testing.Networks;

/// <summary>
/// A whole innernet network in namespaces, driven only through the BUILT commands as a user would script them:
/// a server namespace (<c>innernet-server new</c>, <c>add-cidr</c>, <c>add-peer</c>, <c>serve</c> in the
/// background) holding a bridge underlay (198.18.0.0/24, server at 198.18.0.1), and one namespace per peer
/// (bridged, or behind its own masquerading NAT namespace) running <c>inn</c> with its own config/data dirs.
/// The network name (= the server's interface) is the lab prefix (<c>inn</c> + 6 hex), peer interfaces are
/// <c>{prefix}p{n}</c>: wireguard-go's UAPI sockets are shared machine-wide.
/// <para>
/// <see cref="Dispose"/> always cleans up, in this order: SIGTERM to serve, delete the WireGuard devices the
/// commands created, SIGTERM then SIGKILL to whatever still runs in the namespaces (wireguard-go started by the
/// commands), remove the own sockets, delete the namespaces, delete the directories.
/// </para>
/// </summary>
public sealed class InnernetNetwork : IDisposable
{
    public const int ListenPort = 51820;

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    private static readonly ConcurrentDictionary<InnernetNetwork, byte> Live = new();

    // SIGTERM/SIGINT/SIGQUIT do not raise ProcessExit by themselves; kept alive for the process lifetime.
    private static readonly PosixSignalRegistration[] SignalCleanup =
    [
        PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
        PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
        PosixSignalRegistration.Create(PosixSignal.SIGQUIT, OnSignal),
    ];

    private readonly NetnsLab _lab = new();
    private readonly Action<string> _log;
    private readonly ConcurrentDictionary<string, InnernetPeer> _peers = new(StringComparer.Ordinal);
    private readonly List<string> _extraInterfaces = [];
    private readonly StringBuilder _earlierServeLogs = new();
    private readonly string _bridge;
    private int _peerCounter;
    private NamespacedProcess? _serve;
    private readonly ConcurrentDictionary<string, NamespacedProcess> _daemons = new(StringComparer.Ordinal);
    private readonly List<ServerReplica> _replicas = [];
    private readonly List<int> _frozen = [];
    private bool _disposed;

    /// <param name="backend">WireGuard implementation passed to both commands as <c>--backend</c>.</param>
    /// <param name="networkCidr">The network's root CIDR (IPv4 10.x or IPv6 fd00::/8).</param>
    /// <param name="log">Where progress lines go (the test's diagnostic output).</param>
    public InnernetNetwork(ScenarioBackend backend, string networkCidr, Action<string> log)
    {
        Backend = backend;
        NetworkCidr = IPNetwork.Parse(networkCidr);
        _log = log ?? throw new ArgumentNullException(nameof(log));
        Name = _lab.Prefix;
        Root = _lab.LogDirectory;
        ServerNamespace = _lab.AddNamespace("s");
        _bridge = _lab.InterfaceName("br");
        EnsureBridgeModule();
        // The server's namespace routes between the other members of the underlay (see JoinUnderlay); redirects
        // off, or the members would learn each other's addresses as next hops and resolve them all again.
        _lab.Exec(ServerNamespace, "sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv4.conf.all.send_redirects=0",
            "net.ipv4.conf.default.send_redirects=0").EnsureSuccess();
        _lab.AddBridge(ServerNamespace, _bridge);
        _lab.AddAddress(ServerNamespace, _bridge, $"{ServerUnderlay}/24");
        ServerOverlay = FirstHost(NetworkCidr);
        Directory.CreateDirectory(Path.Combine(Root, "server"));
        Live[this] = 0;
    }

    static InnernetNetwork()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => DisposeAll();
    }

    public ScenarioBackend Backend { get; }

    public string BackendFlag => Backend == ScenarioBackend.Kernel ? "kernel" : "userspace";

    /// <summary>The network name, also the server's WireGuard interface.</summary>
    public string Name { get; }

    public IPNetwork NetworkCidr { get; }

    /// <summary>The lab's private directory (0700): server and peer dirs, invitations, logs.</summary>
    public string Root { get; }

    public NetnsLab Lab => _lab;

    public string ServerNamespace { get; }

    public static IPAddress ServerUnderlay { get; } = IPAddress.Parse("198.18.0.1");

    /// <summary>The server's overlay address (the API's address): the first host of the network CIDR.</summary>
    public IPAddress ServerOverlay { get; }

    public IReadOnlyCollection<InnernetPeer> Peers => [.. _peers.Values.OrderBy(p => p.Name, StringComparer.Ordinal)];

    public InnernetPeer this[string name] => _peers[name];

    public bool IsServing => _serve is { HasExited: false };

    // ------------------------------------------------------------------------------------------ server

    /// <summary><c>innernet-server new</c> (external endpoint 198.18.0.1:51820), with <paramref name="options"/> appended.</summary>
    public void Create(params string[] options)
    {
        Server(["new", "--network-name", Name, "--network-cidr", NetworkCidr.ToString(),
            "--external-endpoint", $"{ServerUnderlay}:{ListenPort}", "--listen-port", ListenPort.ToString(CultureInfo.InvariantCulture),
                .. options])
            .EnsureSuccess();
        _log($"innernet-server new {Name} {NetworkCidr} (backend {BackendFlag}) {string.Join(' ', options)}");
    }

    /// <summary>
    /// <c>innernet-server import</c> of the server innernet 1.7.1 wrote (<see cref="InnernetFixtures"/>), in place of
    /// <see cref="Create"/>: this network then is the fixture's (root 10.66.0.0/16, server 10.66.0.1, its key and
    /// peers) under this network's unique name. Returns the command's result.
    /// </summary>
    public ProcessResult ImportInnernetFixture()
    {
        var result = Server("import", Name, "--from-config-dir", InnernetFixtures.ServerConfigDirectory,
            "--from-data-dir", InnernetFixtures.ServerDataDirectory, "--from-name", InnernetFixtures.Network).EnsureSuccess();
        _log($"innernet-server import {Name} from innernet 1.7.1's {InnernetFixtures.Network} (backend {BackendFlag})");
        return result;
    }

    /// <summary><c>innernet-server add-cidr</c>; the parent defaults to the root CIDR (the network's name).</summary>
    public void AddCidr(string name, string cidr, string? parent = null)
    {
        Server("add-cidr", Name, "--name", name, "--cidr", cidr, "--parent", parent ?? Name, "--yes").EnsureSuccess();
        _log($"innernet-server add-cidr {name} {cidr} under {parent ?? Name}");
    }

    /// <summary>Runs <c>innernet-server [dirs] [--backend] ARGS</c> inside the server's namespace.</summary>
    public ProcessResult Server(params string[] arguments) =>
        _lab.ExecWithTimeout(CommandTimeout, ServerNamespace, InnernetBinaries.Server, [.. ServerGlobals(), .. arguments]);

    /// <summary>
    /// Starts <c>innernet-server serve</c> in the background and waits until its admin socket, interface and API port
    /// exist and it has logged the end of its start-up (every peer on WireGuard: serve loads them while the API starts).
    /// <paramref name="options"/> go after <c>serve NAME</c> (e.g. <c>--replica</c>, <c>--metrics-listen</c>).
    /// </summary>
    public async Task ServeAsync(CancellationToken ct, params string[] options)
    {
        if (IsServing)
        {
            throw new InvalidOperationException("serve is already running");
        }

        var serve = _serve = NamespacedProcess.Start(
            ServerNamespace, InnernetBinaries.Server, ["serve", Name, "--no-write-hosts", .. options, .. ServerGlobals()]);
        var clock = Stopwatch.StartNew();
        await WaitForAsync(
            () => File.Exists(Path.Combine(Root, "server/lib", Name + ".sock"))
                && ServerDevice() is not null
                && ApiReachableFrom(ServerNamespace)
                && serve.Log.Contains("start-up took", StringComparison.Ordinal),
            TimeSpan.FromSeconds(120), "innernet-server serve to come up (admin socket, interface, API port)", ct).ConfigureAwait(false);
        _log($"innernet-server serve {Name}: up after {clock.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>SIGTERM to serve (what systemd sends); returns its exit code (-1 when it had to be killed).</summary>
    public int StopServe()
    {
        var serve = _serve;
        if (serve is null)
        {
            return 0;
        }

        _serve = null;
        try
        {
            return serve.Stop(TimeSpan.FromSeconds(20));
        }
        finally
        {
            lock (_earlierServeLogs)
            {
                _earlierServeLogs.Append(serve.Log); // ServerLog keeps the whole history across restarts
            }

            serve.Dispose();
        }
    }

    /// <summary>
    /// SIGSTOP to serve and to every other process of the server's namespace (its userspace wireguard-go): the server's host
    /// as if it vanished or hung, with no reset and no FIN for anybody (the kernel still holds the sockets, but no packet
    /// through the tunnel reaches them any more). The frozen processes are killed by <see cref="Dispose"/>.
    /// </summary>
    public void FreezeServerHost()
    {
        var serve = _serve ?? throw new InvalidOperationException("serve is not running");
        var pids = PidsIn(ServerNamespace).Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToList();
        lock (_frozen)
        {
            foreach (int pid in pids.Where(p => p != serve.Id).Prepend(serve.Id))
            {
                _frozen.Add(pid);
                _ = NativeMethods.Kill(pid, NativeMethods.SIGSTOP);
            }
        }
    }

    /// <summary>
    /// SIGKILL to serve (kill -9: no shutdown, no cleanup). Its WireGuard interface stays, as after kill -9 on a real
    /// host: userspace wireguard-go runs as a process of its own, a kernel device belongs to the namespace.
    /// </summary>
    public void KillServe()
    {
        var serve = _serve ?? throw new InvalidOperationException("serve is not running");
        _serve = null;
        serve.Kill();
        serve.Stop(TimeSpan.FromSeconds(20)); // reaps it and drains its output
        lock (_earlierServeLogs)
        {
            _earlierServeLogs.Append(serve.Log);
        }

        serve.Dispose();
    }

    /// <summary>
    /// A second server of this network, for <c>serve --replica</c> on PostgreSQL: a namespace on the bridge at
    /// <paramref name="underlay"/> (routed through the server's namespace like every member) and copies of the
    /// server's config and data directories. Every replica needs the same config (key, overlay address, database), but
    /// wireguard-go's UAPI sockets (/var/run/wireguard/&lt;iface&gt;.sock) are machine-wide, so two replicas cannot both
    /// name their interface after the network: this one gets <c>{prefix}r{n}</c> and the config is copied to that
    /// name. Peers see only the key, the overlay address and the endpoint, not the server's interface name.
    /// </summary>
    public ServerReplica AddReplica(IPAddress underlay)
    {
        ArgumentNullException.ThrowIfNull(underlay);
        int n;
        lock (_replicas)
        {
            n = _replicas.Count + 1;
        }

        string suffix = "r" + n.ToString(CultureInfo.InvariantCulture);
        string ns = _lab.AddNamespace(suffix);
        string port = _lab.AttachToBridge(ServerNamespace, _bridge, ns);
        JoinUnderlay(ns, port, underlay.ToString());
        string iface = _lab.InterfaceName(suffix);
        string dir = Path.Combine(Root, "replica" + n.ToString(CultureInfo.InvariantCulture));
        var privateDir = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        string etc = Directory.CreateDirectory(Path.Combine(dir, "etc"), privateDir).FullName;
        string lib = Directory.CreateDirectory(Path.Combine(dir, "lib"), privateDir).FullName;
        foreach (var (from, to) in new[] { ("server/etc", etc), ("server/lib", lib) })
        {
            foreach (string file in Directory.GetFiles(Path.Combine(Root, from)).Where(f => !f.EndsWith(".sock", StringComparison.Ordinal)))
            {
                string name = Path.GetFileName(file);
                string target = Path.Combine(to, name.StartsWith(Name, StringComparison.Ordinal) ? iface + name[Name.Length..] : name);
                File.Copy(file, target);
                File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        var replica = new ServerReplica(ns, iface, etc, lib, underlay);
        lock (_replicas)
        {
            _replicas.Add(replica);
        }

        _log($"{replica}: namespace on the underlay, copies of the server's config and data directories");
        return replica;
    }

    /// <summary>Starts <c>serve</c> of a replica (see <see cref="ServeAsync"/>) and waits until it is up.</summary>
    public async Task ServeAsync(ServerReplica replica, CancellationToken ct, params string[] options)
    {
        ArgumentNullException.ThrowIfNull(replica);
        if (replica.IsServing)
        {
            throw new InvalidOperationException($"{replica} is already serving");
        }

        var serve = replica.Serve = NamespacedProcess.Start(replica.Namespace, InnernetBinaries.Server,
            ["serve", replica.InterfaceName, "--no-write-hosts", .. options, .. ReplicaGlobals(replica)]);
        var clock = Stopwatch.StartNew();
        await serve.WaitUntilAsync(
            () => File.Exists(Path.Combine(replica.DataDirectory, replica.InterfaceName + ".sock"))
                && Device(replica.Namespace, replica.InterfaceName) is not null
                && serve.Log.Contains("start-up took", StringComparison.Ordinal),
            TimeSpan.FromSeconds(120), Poll, $"serve of {replica} to come up", () => serve.Log, ct).ConfigureAwait(false);
        _log($"innernet-server serve {replica.InterfaceName}: up after {clock.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>Runs <c>innernet-server [replica's dirs] [--backend] ARGS</c> inside the replica's namespace.</summary>
    public ProcessResult Server(ServerReplica replica, params string[] arguments)
    {
        ArgumentNullException.ThrowIfNull(replica);
        return _lab.ExecWithTimeout(CommandTimeout, replica.Namespace, InnernetBinaries.Server, [.. ReplicaGlobals(replica), .. arguments]);
    }

    /// <summary><see cref="ReadState()"/> through a replica.</summary>
    public ServerState ReadState(ServerReplica replica)
    {
        ArgumentNullException.ThrowIfNull(replica);
        return ServerState.Parse(
            Server(replica, "list-cidrs", replica.InterfaceName, "--json").EnsureSuccess().StandardOutput,
            Server(replica, "list-peers", replica.InterfaceName, "--json").EnsureSuccess().StandardOutput,
            Server(replica, "list-associations", replica.InterfaceName, "--json").EnsureSuccess().StandardOutput);
    }

    /// <summary><c>wg show</c> of the server and every peer (for assertion messages; keys only public).</summary>
    public string DescribeWireGuard()
    {
        var sb = new StringBuilder();
        foreach (var (ns, iface) in new[] { (ServerNamespace, Name) }.Concat(Peers.Select(p => (p.Namespace, p.InterfaceName))))
        {
            var show = _lab.Exec(ns, "wg", "show", iface);
            var addresses = _lab.Exec(ns, "ip", "-br", "address");
            var routes = _lab.Exec(ns, "ip", "route", "show", "table", "all");
            sb.Append(CultureInfo.InvariantCulture, $"--- {ns}: wg show {iface} ---\n{show.StandardOutput}{show.StandardError}")
                .Append(addresses.StandardOutput).Append(routes.StandardOutput);
        }

        return sb.ToString();
    }

    /// <summary>The server's log so far (for assertion messages).</summary>
    public string ServerLog()
    {
        string current = _serve?.Log ?? "";
        lock (_earlierServeLogs)
        {
            return "--- innernet-server serve log ---\n" + _earlierServeLogs + current;
        }
    }

    /// <summary>The server's WireGuard device (null while it does not exist).</summary>
    public WireGuardDevice? ServerDevice() => Device(ServerNamespace, Name);

    /// <summary>The public keys (base64) configured on the server's WireGuard interface.</summary>
    public IReadOnlySet<string> ServerWireGuardKeys() =>
        ServerDevice()?.Peers.Select(p => p.PublicKey.ToString()).ToHashSet(StringComparer.Ordinal) ?? [];

    /// <summary>Reads the CIDRs, peers and associations from the server's database (works while serving).</summary>
    public ServerState ReadState() => ServerState.Parse(
        Server("list-cidrs", Name, "--json").EnsureSuccess().StandardOutput,
        Server("list-peers", Name, "--json").EnsureSuccess().StandardOutput,
        Server("list-associations", Name, "--json").EnsureSuccess().StandardOutput);

    // ------------------------------------------------------------------------------------------ peers

    /// <summary>
    /// A new peer machine: a namespace on the bridge (198.18.0.10+n) and an invitation from
    /// <c>innernet-server add-peer</c> (or, with <paramref name="invitedBy"/>, from that admin's <c>inn add-peer</c>).
    /// </summary>
    public InnernetPeer InvitePeer(string name, string cidr, bool admin = false, InnernetPeer? invitedBy = null, string expires = "1d",
        string? ip = null)
    {
        int n = Interlocked.Increment(ref _peerCounter);
        string ns = _lab.AddNamespace(name);
        string iface = _lab.AttachToBridge(ServerNamespace, _bridge, ns);
        var underlay = IPAddress.Parse($"198.18.0.{10 + n}");
        JoinUnderlay(ns, iface, underlay.ToString());
        return Invite(name, cidr, admin, invitedBy, expires, ip, n, ns, underlay);
    }

    /// <summary>
    /// A new peer machine behind its own masquerading NAT: NAT namespace with WAN 198.18.0.100+n on the bridge and
    /// LAN 198.19.n.1/24, nftables <c>masquerade</c> out of the WAN and, like a home router, unsolicited packets to
    /// the NAT itself dropped (so they leave no conntrack entry that would clash with a later outgoing mapping of the
    /// same port); the peer at 198.19.n.2 routes 198.18.0.0/24 through its NAT (no default route anywhere).
    /// </summary>
    public InnernetPeer InvitePeerBehindNat(string name, string cidr, string expires = "1d")
    {
        int n = Interlocked.Increment(ref _peerCounter);
        string nat = _lab.AddNamespace(name + "-nat");
        string wan = _lab.AttachToBridge(ServerNamespace, _bridge, nat, "wan0");
        JoinUnderlay(nat, wan, $"198.18.0.{100 + n}");
        string ns = _lab.AddNamespace(name);
        var (natLan, peerLan) = _lab.AddVethPair(nat, ns, "lan0", "eth0");
        _lab.AddAddress(nat, natLan, $"198.19.{n}.1/24");
        var underlay = IPAddress.Parse($"198.19.{n}.2");
        _lab.AddAddress(ns, peerLan, $"{underlay}/24");
        _lab.AddRoute(ns, "198.18.0.0/24", "via", $"198.19.{n}.1");
        _lab.Sysctl(nat, "net.ipv4.ip_forward", "1");
        const string Rules = """
            table ip nat {
              chain postrouting {
                type nat hook postrouting priority srcnat; policy accept;
                oifname "wan0" masquerade
              }
            }
            table inet filter {
              chain input {
                type filter hook input priority filter; policy accept;
                iifname "wan0" ct state new drop
              }
            }
            """;
        string rulesPath = Path.Combine(Root, name + "-nat.nft");
        File.WriteAllText(rulesPath, Rules);
        _lab.Exec(nat, "nft", "-f", rulesPath).EnsureSuccess();
        _log($"{name}: behind NAT {nat} (WAN 198.18.0.{100 + n}, LAN 198.19.{n}.0/24, masquerade)");
        return Invite(name, cidr, false, null, expires, null, n, ns, underlay);
    }

    /// <summary>
    /// A machine whose client is already installed: a namespace on the bridge and the given client config and data
    /// store (e.g. files innernet wrote) under a unique interface name. No invitation: the config stands in for it.
    /// </summary>
    public InnernetPeer AddInstalledPeer(string name, string configFile, string dataFile)
    {
        if (_peers.ContainsKey(name))
        {
            throw new ArgumentException($"peer '{name}' already exists in this network", nameof(name));
        }

        int n = Interlocked.Increment(ref _peerCounter);
        string ns = _lab.AddNamespace(name);
        string bridgePort = _lab.AttachToBridge(ServerNamespace, _bridge, ns);
        var underlay = IPAddress.Parse($"198.18.0.{10 + n}");
        JoinUnderlay(ns, bridgePort, underlay.ToString());
        string dir = Path.Combine(Root, name);
        var privateDir = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        string iface = _lab.InterfaceName("p" + n.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(Path.Combine(dir, "etc"), privateDir);
        Directory.CreateDirectory(Path.Combine(dir, "lib"), privateDir);
        string config = Path.Combine(dir, "etc", iface + ".conf");
        File.Copy(configFile, config);
        File.Copy(dataFile, Path.Combine(dir, "lib", iface + ".json"));
        foreach (string file in new[] { config, Path.Combine(dir, "lib", iface + ".json") })
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var peer = new InnernetPeer(name, ns, iface, dir, config, underlay);
        _peers[name] = peer;
        _log($"{name}: installed from {configFile} as {iface} ({peer.Ip}), namespace {ns}");
        return peer;
    }

    /// <summary>Only the invitation (the peer's machine is another peer's: e.g. re-inviting a swept name).</summary>
    public ProcessResult AddPeerCommand(string name, string cidr, string invitation, string expires, string? ip = null) =>
        Server(["add-peer", Name, "--name", name, "--cidr", cidr, "--admin", "false", .. IpArgs(ip), "--invite-expires", expires,
            "--save-config", invitation, "--yes"]);

    /// <summary>
    /// Redeems the invitations of all given peers at the same moment (<c>inn install --name … -d --no-write-hosts</c>).
    /// </summary>
    public async Task InstallAsync(CancellationToken ct, params InnernetPeer[] peers)
    {
        ArgumentNullException.ThrowIfNull(peers);
        var clock = Stopwatch.StartNew();
        var results = await Task.WhenAll(peers.Select(p => OnOwnThread(
            () => Inn(p, "install", p.InvitationPath, "--name", p.InterfaceName, "-d", "--no-write-hosts"), ct))).ConfigureAwait(false);
        for (int i = 0; i < peers.Length; i++)
        {
            if (!results[i].Succeeded)
            {
                throw new InvalidOperationException($"install of {peers[i]} failed: {results[i]}\n{ServerLog()}");
            }
        }

        _log($"inn install: {string.Join(", ", peers.Select(p => p.ToString()))} in {clock.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>Runs <c>inn -c … -d … --backend … ARGS</c> inside the peer's namespace.</summary>
    public ProcessResult Inn(InnernetPeer peer, params string[] arguments)
    {
        ArgumentNullException.ThrowIfNull(peer);
        return _lab.ExecWithTimeout(CommandTimeout, peer.Namespace, InnernetBinaries.Client,
            ["-c", peer.ConfigDirectory, "-d", peer.DataDirectory, "--backend", BackendFlag, .. arguments]);
    }

    /// <summary>
    /// Starts <c>inn up IFACE --daemon --no-write-hosts ARGS</c> in the peer's namespace (stopped on dispose, or by
    /// <see cref="StopDaemon"/>).
    /// </summary>
    public NamespacedProcess StartDaemon(InnernetPeer peer, params string[] arguments)
    {
        ArgumentNullException.ThrowIfNull(peer);
        var daemon = NamespacedProcess.Start(peer.Namespace, InnernetBinaries.Client,
            ["-c", peer.ConfigDirectory, "-d", peer.DataDirectory, "--backend", BackendFlag, "up", peer.InterfaceName, "--daemon",
                "--no-write-hosts", .. arguments]);
        if (!_daemons.TryAdd(peer.Name, daemon))
        {
            daemon.Dispose();
            throw new InvalidOperationException($"a daemon already runs for {peer}");
        }

        return daemon;
    }

    /// <summary>SIGTERM to a peer's daemon; returns its output.</summary>
    public string StopDaemon(InnernetPeer peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        if (!_daemons.TryRemove(peer.Name, out var daemon))
        {
            return "";
        }

        daemon.Stop(TimeSpan.FromSeconds(10));
        string log = daemon.Log;
        daemon.Dispose();
        return log;
    }

    /// <summary>The output of every running daemon so far (for assertion messages).</summary>
    public string DaemonLogs() => string.Join("\n", _daemons.Select(d => $"--- inn up --daemon on {d.Key}:\n{d.Value.Log}"));

    /// <summary><c>inn fetch</c> on every given peer at once (all peers by default); throws when one fails.</summary>
    public async Task FetchAsync(CancellationToken ct, params InnernetPeer[] peers)
    {
        var targets = peers is { Length: > 0 } ? peers : [.. Peers];
        var clock = Stopwatch.StartNew();
        var results = await Task.WhenAll(targets.Select(p => OnOwnThread(
            () => Inn(p, "fetch", p.InterfaceName, "--no-write-hosts"), ct))).ConfigureAwait(false);
        for (int i = 0; i < targets.Length; i++)
        {
            if (!results[i].Succeeded)
            {
                throw new InvalidOperationException($"fetch on {targets[i]} failed: {results[i]}\n{ServerLog()}");
            }
        }

        _log($"inn fetch on {string.Join(", ", targets.Select(p => p.Name))}: {clock.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary><c>inn show IFACE --json</c> of a peer: its view of the network (peers, handshakes).</summary>
    public JsonDocument Show(InnernetPeer peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        return JsonDocument.Parse(Inn(peer, "show", peer.InterfaceName, "--json").EnsureSuccess().StandardOutput);
    }

    /// <summary>
    /// The peer's <c>inn show --json</c> <c>updates.mode</c> ("live", "polling", "connecting", "not_running"), or null
    /// when show fails.
    /// </summary>
    public string? UpdatesMode(InnernetPeer peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        var show = Inn(peer, "show", peer.InterfaceName, "--json");
        if (!show.Succeeded)
        {
            return null;
        }

        using var doc = JsonDocument.Parse(show.StandardOutput);
        return doc.RootElement.GetProperty("interfaces")[0].GetProperty("updates").GetProperty("mode").GetString();
    }

    /// <summary>
    /// The TCP sockets of a namespace with their internals (<c>ss -tin</c>: queues, retransmissions, RTO), for
    /// assertion messages that must tell a stalled connection from one that carried nothing.
    /// </summary>
    public string Sockets(string ns)
    {
        var result = _lab.Exec(ns, "ss", "-tin");
        return result.Succeeded ? result.StandardOutput : result.ToString();
    }

    /// <summary>A peer's WireGuard device as the library reads it.</summary>
    public WireGuardDevice? PeerDevice(InnernetPeer peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        return Device(peer.Namespace, peer.InterfaceName);
    }

    // ------------------------------------------------------------------------------------------ connectivity

    /// <summary>
    /// True when <paramref name="ns"/> gets an echo reply from <paramref name="address"/> within 15 s (a probe every
    /// 0.5 s, stopping at the first reply). The deadline covers two of WireGuard's 5 s handshake retries: a peer whose
    /// endpoint only arrived with the last fetch, or whose first initiation reached the other side before it knew
    /// this peer, is reached on a later retransmission (seen once with 7 s: both sides configured, no handshake yet).
    /// </summary>
    public bool Ping(string ns, IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return _lab.ExecWithTimeout(TimeSpan.FromSeconds(30), ns, "ping", "-n", "-c", "1", "-i", "0.5", "-w", "15",
            address.ToString()).Succeeded;
    }

    /// <summary>
    /// Pings every ordered pair of the given machines (the server is <c>"server"</c>) at once; returns the set of
    /// "from→to" pairs that got a reply.
    /// </summary>
    public async Task<IReadOnlySet<string>> PingMatrixAsync(IReadOnlyList<string> machines, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(machines);
        var probes = from a in machines from b in machines where a != b select (From: a, To: b);
        var results = await Task.WhenAll(probes.Select(p => OnOwnThread(
            () => (p.From, p.To, Ok: Ping(NamespaceOf(p.From), AddressOf(p.To))), ct))).ConfigureAwait(false);
        return results.Where(r => r.Ok).Select(r => $"{r.From}→{r.To}").ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Formats a matrix as the demo prints it (✓/✗, rows = from, columns = to).</summary>
    public static string FormatMatrix(IReadOnlyList<string> machines, Func<string, string, bool> ok)
    {
        ArgumentNullException.ThrowIfNull(machines);
        ArgumentNullException.ThrowIfNull(ok);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{"from \\ to",-10}");
        foreach (string to in machines)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{to,-8}");
        }

        sb.AppendLine();
        foreach (string from in machines)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{from,-10}");
            foreach (string to in machines)
            {
                sb.Append(CultureInfo.InvariantCulture, $"{(from == to ? "·" : ok(from, to) ? "✓" : "✗"),-8}");
            }

            sb.AppendLine();
        }

        return sb.ToString();
    }

    public string NamespaceOf(string machine) => machine == "server" ? ServerNamespace : _peers[machine].Namespace;

    public IPAddress AddressOf(string machine) => machine == "server" ? ServerOverlay : _peers[machine].Ip;

    /// <summary>True when something in <paramref name="ns"/> can open a TCP connection to the server's API (bounded by 3 s).</summary>
    public bool ApiReachableFrom(string ns)
    {
        return _lab.ExecWithTimeout(TimeSpan.FromSeconds(10), ns, "timeout", "3", "bash", "-c",
            $"exec 3<>/dev/tcp/{ServerOverlay}/{ListenPort}").Succeeded;
    }

    /// <summary>Polls <paramref name="condition"/> every 100 ms until it holds; fails with <paramref name="what"/> after <paramref
    /// name="timeout"/>.</summary>
    public async Task WaitForAsync(Func<bool> condition, TimeSpan timeout, string what, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var clock = Stopwatch.StartNew();
        bool met = false;
        await Eventually.UntilAsync(() => (met = condition()) || _serve is { HasExited: true }, timeout, Poll, ct).ConfigureAwait(false);
        if (!met)
        {
            Assert.Fail(_serve is { HasExited: true }
                ? $"serve exited while waiting for {what}\n{ServerLog()}"
                : $"timed out after {clock.Elapsed.TotalSeconds:0.0} s waiting for {what}\n{ServerLog()}");
        }
    }

    // ------------------------------------------------------------------------------------------ WireGuard access

    /// <summary>A WireGuard device inside a namespace of this network, read with the backend's library control.</summary>
    public WireGuardDevice? Device(string ns, string interfaceName)
    {
        if (Backend == ScenarioBackend.Userspace)
        {
            using var userspace = WireGuardClient.Open(WireGuardBackend.Userspace);
            return userspace.GetDevice(interfaceName);
        }

        return NetworkNamespace.Run(NetnsLab.NamespacePath(ns), () =>
        {
            using var kernel = WireGuardClient.Open(WireGuardBackend.Kernel);
            return kernel.GetDevice(interfaceName);
        });
    }

    /// <summary>
    /// Brings up a WireGuard interface with the library (not the commands) inside a namespace of this network:
    /// wireguard-go owned by the lab, or a kernel device; then the address and link. Cleaned up with the network.
    /// </summary>
    public string AddRawInterface(string ns, string suffix, DeviceConfig config, string addressWithPrefix)
    {
        ArgumentNullException.ThrowIfNull(config);
        string iface = _lab.InterfaceName(suffix);
        lock (_extraInterfaces)
        {
            _extraInterfaces.Add(iface);
        }

        if (Backend == ScenarioBackend.Userspace)
        {
            _lab.StartWireGuardGo(ns, iface, "error");
            using var userspace = WireGuardClient.Open(WireGuardBackend.Userspace);
            userspace.ConfigureDevice(iface, config);
        }
        else
        {
            NetworkNamespace.Run(NetnsLab.NamespacePath(ns), () =>
            {
                using var kernel = WireGuardClient.Open(WireGuardBackend.Kernel);
                kernel.CreateDevice(iface);
                kernel.ConfigureDevice(iface, config);
            });
        }

        _lab.AddAddress(ns, iface, addressWithPrefix);
        _lab.SetLinkUp(ns, iface);
        return iface;
    }

    /// <summary>A namespace on the bridge that is not an innernet peer (e.g. an impostor); 198.18.0.200+n.</summary>
    public string AddBystander(string suffix)
    {
        int n = Interlocked.Increment(ref _peerCounter);
        string ns = _lab.AddNamespace(suffix);
        string iface = _lab.AttachToBridge(ServerNamespace, _bridge, ns);
        JoinUnderlay(ns, iface, $"198.18.0.{200 + n}");
        return ns;
    }

    /// <summary>
    /// Gives a namespace attached to the bridge its underlay address, as a /32 with the server's address as its one
    /// neighbour and the gateway to the rest of 198.18.0.0/24. Neighbour (ARP) entries live in one table for the whole
    /// machine, 1,024 dynamic entries by default (<c>gc_thresh3</c>, not settable per namespace): members on one
    /// bridge that all talk to each other (WireGuard keepalives to every peer) need about N² of them, so 50 peers
    /// overflow it and the kernel then drops UDP without an error to the sender (only <c>UdpSndbufErrors</c> grows).
    /// Routed through the server's namespace each member resolves one neighbour and the server N.
    /// </summary>
    private void JoinUnderlay(string ns, string iface, string address)
    {
        _lab.AddAddress(ns, iface, $"{address}/32");
        _lab.AddRoute(ns, ServerUnderlay.ToString(), "dev", iface);
        _lab.AddRoute(ns, "198.18.0.0/24", "via", ServerUnderlay.ToString(), "dev", iface);
    }

    // ------------------------------------------------------------------------------------------ cleanup

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Live.TryRemove(this, out _);
        try
        {
            KillFrozen();
            foreach (var peer in _daemons.Keys.ToList())
            {
                try
                {
                    StopDaemon(_peers[peer]);
                }
                catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or TimeoutException)
                {
                    Console.Error.WriteLine($"InnernetNetwork {Name}: stopping the daemon of {peer}: {e.Message}");
                }
            }

            try
            {
                StopServe();
                lock (_replicas)
                {
                    foreach (var replica in _replicas)
                    {
                        replica.Serve?.Stop(TimeSpan.FromSeconds(20));
                        replica.Serve?.Dispose();
                        replica.Serve = null;
                    }
                }
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or TimeoutException)
            {
                Console.Error.WriteLine($"InnernetNetwork {Name}: stopping serve: {e.Message}");
            }

            string[] interfaces = OwnInterfaces();
            if (Backend == ScenarioBackend.Userspace)
            {
                using var userspace = WireGuardClient.Open(WireGuardBackend.Userspace);
                foreach (string iface in interfaces)
                {
                    try
                    {
                        userspace.DeleteDevice(iface); // removing the socket makes wireguard-go exit at once
                    }
                    catch (Exception e) when (e is IOException or WireGuardUapiException or UnauthorizedAccessException)
                    {
                        // the processes are killed below
                    }
                }
            }

            foreach (string ns in _lab.Namespaces)
            {
                Signal(ns, "-TERM");
            }

            _ = Eventually.Until(() => _lab.Namespaces.All(ns => PidsIn(ns).Length == 0), TimeSpan.FromSeconds(3),
                TimeSpan.FromMilliseconds(50));

            foreach (string ns in _lab.Namespaces)
            {
                Signal(ns, "-KILL");
            }

            foreach (string iface in interfaces)
            {
                WireGuardGoSockets.RemoveOwn(iface);
            }
        }
        finally
        {
            _lab.Dispose(); // stops the lab's own wireguard-go (raw interfaces), deletes the namespaces and Root
        }
    }

    /// <summary>
    /// On a signal: kill serve and remove the userspace sockets first (wireguard-go exits at once when its socket
    /// goes), whatever order the lab's own handler runs in; then the normal Dispose.
    /// </summary>
    private static void OnSignal(PosixSignalContext context)
    {
        foreach (var network in Live.Keys)
        {
            network.KillFrozen();
            network._serve?.Kill();
            foreach (var replica in network._replicas)
            {
                replica.Serve?.Kill();
            }

            foreach (string iface in network.OwnInterfaces())
            {
                WireGuardGoSockets.RemoveOwn(iface);
            }
        }

        DisposeAll();
        context.Cancel = false;
    }

    private static void DisposeAll()
    {
        foreach (var network in Live.Keys)
        {
            network.Dispose();
        }
    }

    private string[] OwnInterfaces()
    {
        lock (_replicas)
        {
            return [Name, .. _replicas.Select(r => r.InterfaceName), .. _peers.Values.Select(p => p.InterfaceName)];
        }
    }

    /// <summary>SIGKILL to what <see cref="FreezeServerHost"/> stopped: a stopped process never acts on SIGTERM.</summary>
    private void KillFrozen()
    {
        lock (_frozen)
        {
            foreach (int pid in _frozen)
            {
                _ = NativeMethods.Kill(pid, NativeMethods.SIGKILL);
            }

            _frozen.Clear();
        }
    }

    private static string[] PidsIn(string ns)
    {
        try
        {
            return ProcessRunner.Run("ip", ["netns", "pids", ns], TimeSpan.FromSeconds(10)).StandardOutput
                .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
        catch (TimeoutException)
        {
            return [];
        }
    }

    /// <summary>Signals what runs inside one of this network's namespaces (wireguard-go the commands started).</summary>
    private static void Signal(string ns, string signal)
    {
        foreach (string pid in PidsIn(ns))
        {
            _ = ProcessRunner.Run("kill", [signal, pid], TimeSpan.FromSeconds(10));
        }
    }

    // ------------------------------------------------------------------------------------------ helpers

    private InnernetPeer Invite(string name, string cidr, bool admin, InnernetPeer? invitedBy, string expires, string? ip, int n,
        string ns, IPAddress underlay)
    {
        if (_peers.ContainsKey(name))
        {
            throw new ArgumentException($"peer '{name}' already exists in this network", nameof(name));
        }

        string dir = Path.Combine(Root, name);
        Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string invitation = Path.Combine(Root, name + ".toml");
        string flag = admin ? "true" : "false";
        string[] args = ["add-peer", invitedBy?.InterfaceName ?? Name, "--name", name, "--cidr", cidr, "--admin", flag, .. IpArgs(ip),
            "--invite-expires", expires, "--save-config", invitation, "--yes"];
        var result = invitedBy is null ? Server(args) : Inn(invitedBy, args);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"inviting {name} failed: {result}\n{ServerLog()}");
        }

        var peer = new InnernetPeer(name, ns, _lab.InterfaceName("p" + n.ToString(CultureInfo.InvariantCulture)), dir, invitation,
            underlay);
        _peers[name] = peer;
        _log($"{(invitedBy is null ? "innernet-server" : $"inn ({invitedBy.Name})")} add-peer {name} in {cidr}{(admin ? " (admin)" : "")}: "
            + $"{peer.Ip}, namespace {ns}, interface {peer.InterfaceName}");
        return peer;
    }

    /// <summary>Blocking process waits on dedicated threads: the pool would add threads for them only slowly.</summary>
    private static Task<T> OnOwnThread<T>(Func<T> work, CancellationToken ct) =>
        Task.Factory.StartNew(work, ct, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>
    /// Loads the bridge module up front when it is missing (the VM of the kernel layer starts with only wireguard):
    /// the kernel's on-demand load from <c>ip link add … type bridge</c> can take longer than a command's 30 s under TCG.
    /// </summary>
    private static void EnsureBridgeModule()
    {
        lock (Live)
        {
            if (!Directory.Exists("/sys/module/bridge") && Prerequisites.FindOnPath("modprobe") is { } modprobe)
            {
                _ = ProcessRunner.Run(modprobe, ["bridge"], TimeSpan.FromSeconds(300));
            }
        }
    }

    private static string[] IpArgs(string? ip) => ip is null ? ["--auto-ip"] : ["--ip", ip];

    private string[] ServerGlobals() => ["-c", Path.Combine(Root, "server/etc"), "-d", Path.Combine(Root, "server/lib"), "--backend",
        BackendFlag];

    private string[] ReplicaGlobals(ServerReplica replica) => ["-c", replica.ConfigDirectory, "-d", replica.DataDirectory, "--backend",
        BackendFlag];

    private static IPAddress FirstHost(IPNetwork network)
    {
        byte[] bytes = network.BaseAddress.GetAddressBytes();
        for (int i = bytes.Length - 1; i >= 0; i--)
        {
            if (++bytes[i] != 0)
            {
                break;
            }
        }

        return new IPAddress(bytes);
    }
}
