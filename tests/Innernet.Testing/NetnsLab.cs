using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Innernet.Netlink;

namespace Innernet.Testing;

/// <summary>
/// A throw-away network lab made of Linux network namespaces that the test owns. Every name starts
/// with a random prefix (<c>inn</c> + 6 hex digits): namespaces are <c>{Prefix}-{suffix}</c>,
/// interfaces <c>{Prefix}{suffix}</c> (≤ 15 bytes, unique machine-wide as wireguard-go needs).
/// Nothing is ever created in the root namespace: veth pairs get both ends placed in namespaces at
/// creation, addresses/routes/sysctls are set inside namespaces only, and there is no default route.
/// <para>
/// <see cref="Dispose"/> (idempotent; also run at process exit and on an unhandled exception) stops
/// every wireguard-go it started (SIGTERM → wait → SIGKILL), removes their sockets, then deletes the
/// namespaces (which removes veths, bridges, tuns and kernel WireGuard devices inside them). It also
/// runs when the test process receives SIGTERM, SIGINT or SIGQUIT.
/// </para>
/// </summary>
public sealed class NetnsLab : IDisposable
{
    /// <summary>Prefix shared by every lab's names; build.sh removes leftovers matching <c>inn??????*</c>.</summary>
    public const string NamePrefix = "inn";

    public const string NetnsDirectory = "/run/netns";

    private static readonly ConcurrentDictionary<NetnsLab, byte> Live = new();
    private static readonly TimeSpan SocketWait = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private readonly List<string> _namespaces = [];
    private readonly List<WireGuardGoProcess> _wireGuardGo = [];
    private int _vethCounter;
    private bool _disposed;

    // Kept alive for the process lifetime; SIGTERM/SIGINT/SIGQUIT do not raise ProcessExit by themselves.
    private static readonly PosixSignalRegistration[] SignalCleanup =
    [
        PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
        PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
        PosixSignalRegistration.Create(PosixSignal.SIGQUIT, OnSignal),
    ];

    static NetnsLab()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => DisposeAll();
        AppDomain.CurrentDomain.UnhandledException += (_, _) => DisposeAll();
    }

    public NetnsLab()
    {
        Prefix = NamePrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        LogDirectory = Path.Combine(Path.GetTempPath(), Prefix);
        System.IO.Directory.CreateDirectory(LogDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        // build.sh's leftover sweep skips labs whose owner process is still alive (parallel runs).
        File.WriteAllText(Path.Combine(LogDirectory, "owner.pid"), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Live[this] = 0;
    }

    /// <summary>This lab's unique prefix, e.g. <c>inn3fa9c1</c>.</summary>
    public string Prefix { get; }

    /// <summary>Directory (0700) for wireguard-go logs and the owner's PID; removed on Dispose.</summary>
    public string LogDirectory { get; }

    public IReadOnlyList<string> Namespaces
    {
        get
        {
            lock (_gate)
            {
                return [.. _namespaces];
            }
        }
    }

    public IReadOnlyList<WireGuardGoProcess> WireGuardGoProcesses
    {
        get
        {
            lock (_gate)
            {
                return [.. _wireGuardGo];
            }
        }
    }

    /// <summary>The full namespace name for a suffix: <c>{Prefix}-{suffix}</c>.</summary>
    public string NamespaceName(string suffix) => $"{Prefix}-{suffix}";

    /// <summary>The bind-mount path of a namespace (what setns/NetworkNamespace.Run take).</summary>
    public static string NamespacePath(string ns) => Path.Combine(NetnsDirectory, ns);

    /// <summary>A machine-wide unique interface name <c>{Prefix}{suffix}</c> (at most 15 bytes).</summary>
    public string InterfaceName(string suffix)
    {
        string name = Prefix + suffix;
        if (!Innernet.Netlink.InterfaceName.IsValid(name))
        {
            int room = Innernet.Netlink.InterfaceName.MaxLength - Prefix.Length;
            throw new ArgumentException($"'{name}' is not a valid interface name: keep the suffix to {room} characters.", nameof(suffix));
        }

        return name;
    }

    /// <summary>Creates namespace <c>{Prefix}-{suffix}</c> with <c>lo</c> up; returns its name.</summary>
    public string AddNamespace(string suffix)
    {
        ThrowIfDisposed();
        string ns = NamespaceName(suffix);
        lock (_gate)
        {
            _namespaces.Add(ns); // registered first, so a half-made namespace is still deleted
        }

        Ip("netns", "add", ns);
        Ip("-n", ns, "link", "set", "lo", "up");
        return ns;
    }

    /// <summary>
    /// Creates a veth pair with one end in each namespace (never in the root namespace) and sets both
    /// up. Returns the two interface names.
    /// </summary>
    public (string InterfaceA, string InterfaceB) AddVethPair(string nsA, string nsB, string? interfaceA = null, string? interfaceB = null)
    {
        RequireOwn(nsA);
        RequireOwn(nsB);
        int n = Interlocked.Increment(ref _vethCounter);
        string a = interfaceA ?? InterfaceName(string.Create(CultureInfo.InvariantCulture, $"v{n}a"));
        string b = interfaceB ?? InterfaceName(string.Create(CultureInfo.InvariantCulture, $"v{n}b"));
        Ip("link", "add", a, "netns", nsA, "type", "veth", "peer", "name", b, "netns", nsB);
        Ip("-n", nsA, "link", "set", a, "up");
        Ip("-n", nsB, "link", "set", b, "up");
        return (a, b);
    }

    /// <summary>Creates an up bridge named <paramref name="bridge"/> inside <paramref name="ns"/>.</summary>
    public void AddBridge(string ns, string bridge)
    {
        RequireOwn(ns);
        Ip("-n", ns, "link", "add", bridge, "type", "bridge");
        Ip("-n", ns, "link", "set", bridge, "up");
    }

    /// <summary>
    /// Connects <paramref name="ns"/> to a bridge in <paramref name="hubNamespace"/> with a veth pair
    /// (hub end enslaved to the bridge). Returns the interface name inside <paramref name="ns"/>.
    /// </summary>
    public string AttachToBridge(string hubNamespace, string bridge, string ns, string? interfaceInNamespace = null)
    {
        var (hubEnd, nsEnd) = AddVethPair(hubNamespace, ns, interfaceB: interfaceInNamespace);
        Ip("-n", hubNamespace, "link", "set", hubEnd, "master", bridge);
        return nsEnd;
    }

    /// <summary>Creates a tun device (<c>ip tuntap add mode tun</c>) inside <paramref name="ns"/>.</summary>
    public void AddTun(string ns, string interfaceName)
    {
        RequireOwn(ns);
        Ip("-n", ns, "tuntap", "add", "dev", interfaceName, "mode", "tun");
    }

    /// <summary>Adds an underlay address such as <c>198.18.0.1/24</c> to an interface inside a lab namespace.</summary>
    public void AddAddress(string ns, string interfaceName, string cidr)
    {
        RequireOwn(ns);
        Ip("-n", ns, "address", "add", cidr, "dev", interfaceName);
    }

    /// <summary>Adds a route inside a lab namespace: <paramref name="route"/> as <c>ip route add</c> takes it.</summary>
    public void AddRoute(string ns, params string[] route)
    {
        RequireOwn(ns);
        Ip(["-n", ns, "route", "add", .. route]);
    }

    public void SetLinkUp(string ns, string interfaceName)
    {
        RequireOwn(ns);
        Ip("-n", ns, "link", "set", interfaceName, "up");
    }

    /// <summary>Sets a sysctl inside one namespace (e.g. <c>net.ipv4.ip_forward</c>).</summary>
    public void Sysctl(string ns, string key, string value) =>
        Exec(ns, "sysctl", "-qw", $"{key}={value}").EnsureSuccess();

    /// <summary>Runs a program inside a lab namespace (<c>ip netns exec</c>), bounded by 30 s.</summary>
    public ProcessResult Exec(string ns, string program, params string[] arguments) =>
        ExecWithTimeout(ProcessRunner.DefaultTimeout, ns, program, arguments);

    /// <summary>Runs a program inside a lab namespace with an explicit time limit.</summary>
    public ProcessResult ExecWithTimeout(TimeSpan timeout, string ns, string program, params string[] arguments)
    {
        RequireOwn(ns);
        return ProcessRunner.Run("ip", ["netns", "exec", ns, program, .. arguments], timeout);
    }

    /// <summary>
    /// Pings from a namespace; true when at least one reply arrived. Bounded by
    /// <paramref name="timeout"/> per probe (<c>-W</c>).
    /// </summary>
    public bool Ping(string ns, IPAddress address, int count = 1, TimeSpan? timeout = null) =>
        PingDetailed(ns, address, count, timeout).Succeeded;

    /// <summary>Like <see cref="Ping"/> but returns the whole result (for assertion messages).</summary>
    public ProcessResult PingDetailed(string ns, IPAddress address, int count = 1, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        int seconds = (int)Math.Max(1, Math.Ceiling((timeout ?? TimeSpan.FromSeconds(2)).TotalSeconds));
        string[] args = ["-n", "-c", count.ToString(CultureInfo.InvariantCulture), "-W", seconds.ToString(CultureInfo.InvariantCulture),
            "-i", "0.2", address.ToString()];
        return ExecWithTimeout(TimeSpan.FromSeconds((count * (seconds + 1)) + 10), ns, "ping", args);
    }

    /// <summary>
    /// Starts <c>wireguard-go -f {interfaceName}</c> inside <paramref name="ns"/> and waits (≤ 5 s) until
    /// its UAPI socket <c>/run/wireguard/{interfaceName}.sock</c> exists; fails fast if it exits first.
    /// </summary>
    public WireGuardGoProcess StartWireGuardGo(string ns, string interfaceName, string logLevel = "verbose")
    {
        RequireOwn(ns);
        if (!interfaceName.StartsWith(Prefix, StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"wireguard-go interface names must carry the lab prefix {Prefix} (UAPI sockets are shared machine-wide).",
                nameof(interfaceName));
        }

        System.IO.Directory.CreateDirectory(WireGuardGoSockets.Directory);
        if (WireGuardGoSockets.IsListening(interfaceName))
        {
            // Readiness is "the socket exists", so a live socket of the same name must be refused up front.
            throw new InvalidOperationException(
                $"wireguard-go {interfaceName}: {WireGuardGoSockets.PathFor(interfaceName)} is already in use by a running process.");
        }

        WireGuardGoSockets.RemoveOwn(interfaceName); // a stale socket with our unique prefix is ours
        string logPath = Path.Combine(LogDirectory, $"wireguard-go-{interfaceName}.log");
        var psi = new ProcessStartInfo("ip")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { "netns", "exec", ns, "wireguard-go", "-f", interfaceName })
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment["LOG_LEVEL"] = logLevel;
        var log = new StreamWriter(new FileStream(logPath, FileMode.Create, FileAccess.Write, FileShare.ReadWrite), Encoding.UTF8);
        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        WireGuardGoProcess? wg = null;
        process.OutputDataReceived += (_, e) => wg?.Append(e.Data);
        process.ErrorDataReceived += (_, e) => wg?.Append(e.Data);
        lock (_gate)
        {
            ThrowIfDisposed();
            process.Start();
            wg = new WireGuardGoProcess(ns, interfaceName, process, logPath, log);
            _wireGuardGo.Add(wg);
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        // Ready once the socket accepts a connection, not once its file exists: wireguard-go binds (the file appears) and
        // then listens, and a connect in between is refused (seen in CI under load: the next configure found no device).
        bool listening = false;
        _ = Eventually.Until(
            () => (listening = WireGuardGoSockets.IsListening(interfaceName)) || process.HasExited,
            SocketWait,
            TimeSpan.FromMilliseconds(10));
        if (listening)
        {
            return wg;
        }

        if (process.HasExited)
        {
            process.WaitForExit();
            throw new InvalidOperationException(
                $"wireguard-go {interfaceName} in {ns} exited with {process.ExitCode} before its socket accepted connections. "
                + $"Log:\n{wg.ReadLog()}");
        }

        throw new TimeoutException(
            $"wireguard-go {interfaceName} in {ns} did not accept connections on {wg.SocketPath} within {SocketWait.TotalSeconds} s. "
            + $"Log:\n{wg.ReadLog()}");
    }

    /// <summary>The logs of every wireguard-go of this lab (for assertion messages).</summary>
    public string DescribeWireGuardGoLogs()
    {
        var sb = new StringBuilder();
        foreach (var wg in WireGuardGoProcesses)
        {
            sb.Append(CultureInfo.InvariantCulture,
                $"--- wireguard-go {wg.InterfaceName} ({wg.Namespace}) ---\n").Append(wg.ReadLog(4000)).Append('\n');
        }

        return sb.ToString();
    }

    public void Dispose()
    {
        WireGuardGoProcess[] processes;
        string[] namespaces;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            processes = [.. _wireGuardGo];
            namespaces = [.. _namespaces];
        }

        // Order matters: a namespace deleted under a live wireguard-go leaks the process (and its tun).
        foreach (var wg in processes)
        {
            try
            {
                wg.Stop();
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or IOException)
            {
                Console.Error.WriteLine($"NetnsLab {Prefix}: stopping wireguard-go {wg.InterfaceName}: {e.Message}");
            }
        }

        foreach (var ns in namespaces)
        {
            try
            {
                var result = ProcessRunner.Run("ip", ["netns", "del", ns], TimeSpan.FromSeconds(15));
                if (!result.Succeeded && File.Exists(NamespacePath(ns)))
                {
                    Console.Error.WriteLine($"NetnsLab {Prefix}: {result}");
                }
            }
            catch (Exception e) when (e is TimeoutException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                Console.Error.WriteLine($"NetnsLab {Prefix}: deleting {ns}: {e.Message}");
            }
        }

        try
        {
            System.IO.Directory.Delete(LogDirectory, recursive: true);
        }
        catch (IOException)
        {
            // logs are disposable
        }

        Live.TryRemove(this, out _);
    }

    /// <summary>Cleans up, then lets the signal's default action (termination) proceed.</summary>
    private static void OnSignal(PosixSignalContext context)
    {
        DisposeAll();
        context.Cancel = false;
    }

    private static void DisposeAll()
    {
        foreach (var lab in Live.Keys)
        {
            lab.Dispose();
        }
    }

    private void RequireOwn(string ns)
    {
        ThrowIfDisposed();
        lock (_gate)
        {
            if (!_namespaces.Contains(ns))
            {
                throw new ArgumentException($"'{ns}' is not a namespace of lab {Prefix}; a lab only touches its own namespaces.",
                    nameof(ns));
            }
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private static void Ip(params string[] arguments) =>
        ProcessRunner.Run("ip", arguments, TimeSpan.FromSeconds(30)).EnsureSuccess();
}
