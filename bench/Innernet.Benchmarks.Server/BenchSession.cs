using System.Collections.Concurrent;
using Innernet.Netlink;
using Innernet.Netlink.WireGuard;
using Innernet.Testing;

namespace Innernet.Benchmarks.Server;

/// <summary>
/// Everything one network size creates, torn down in a safe order by <see cref="Dispose"/> (idempotent; also run
/// by <see cref="DisposeAll"/> from the signal and exit handlers): SIGTERM the server → delete its WireGuard device
/// (socket gone, wireguard-go exits) → stop the server's wireguard-go by PID if it is still alive → kill anything
/// else left in the server namespace → the lab (our own wireguard-go processes, their sockets, the namespaces) →
/// the config/data directory.
/// </summary>
internal sealed class BenchSession : IDisposable
{
    private static readonly ConcurrentDictionary<BenchSession, byte> Live = new();
    private static readonly TimeSpan ProcessGrace = TimeSpan.FromSeconds(3);

    private readonly Lock _gate = new();
    private readonly Lock _disposeGate = new();
    private readonly List<int> _serverWireGuardPids = [];
    private bool _disposed;

    public BenchSession(string workRoot)
    {
        Lab = new NetnsLab();
        WorkDirectory = Path.Combine(workRoot, Lab.Prefix + "-server-bench");
        Directory.CreateDirectory(WorkDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Live[this] = 0;
    }

    public NetnsLab Lab { get; }

    /// <summary>A fresh 0700 directory for the network's <c>etc/</c> and <c>lib/</c>.</summary>
    public string WorkDirectory { get; }

    public ServerProcess? Server { get; private set; }

    public string? ServerNamespace { get; private set; }

    public string? ServerInterface { get; private set; }

    public IReadOnlyList<int> ServerWireGuardPids
    {
        get
        {
            lock (_gate)
            {
                return [.. _serverWireGuardPids];
            }
        }
    }

    /// <summary>Starts <c>innernet-server</c> in <paramref name="ns"/>; it will bring up <paramref name="iface"/> there.</summary>
    public ServerProcess StartServer(string ns, string iface, string binary, IReadOnlyList<string> arguments)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ServerNamespace = ns;
            ServerInterface = iface;
            return Server = ServerProcess.Start(ns, binary, arguments);
        }
    }

    /// <summary>Finds the wireguard-go the server started (a daemon inside the server namespace) and remembers its PID.</summary>
    public IReadOnlyList<int> FindServerWireGuardGo()
    {
        var pids = PidsIn(ServerNamespace ?? throw new InvalidOperationException("The server has not been started."))
            .Where(pid => ProcessInfo.Command(pid) == "wireguard-go")
            .ToList();
        lock (_gate)
        {
            _serverWireGuardPids.AddRange(pids.Except(_serverWireGuardPids));
        }

        return pids;
    }

    public static void DisposeAll()
    {
        foreach (var session in Live.Keys)
        {
            session.Dispose();
        }
    }

    /// <summary>Tears everything down once; a concurrent caller (signal handler, exit handler, main thread) waits until it is done.</summary>
    public void Dispose()
    {
        lock (_disposeGate)
        {
            lock (_gate)
            {
                if (_disposed)
                {
                    return;
                }

                _disposed = true;
            }

            try
            {
                StopServerSide();
            }
            finally
            {
                Lab.Dispose();
                try
                {
                    Directory.Delete(WorkDirectory, recursive: true);
                }
                catch (IOException)
                {
                    // Best effort: nothing in it outlives the run.
                }

                Live.TryRemove(this, out _);
            }
        }
    }

    private void StopServerSide()
    {
        if (Server is { } server)
        {
            int code = server.Stop();
            // 143 = killed by SIGTERM before its handler was installed (a signal during start-up): expected.
            if (code is not 0 and not 143)
            {
                Console.Error.WriteLine($"server-bench: innernet-server exited with {code}\n{server.Log()}");
            }

            server.Dispose();
        }

        if (ServerNamespace is not { } ns || ServerInterface is not { } iface)
        {
            return;
        }

        try
        {
            if (File.Exists(NetnsLab.NamespacePath(ns)))
            {
                NetworkNamespace.Run(NetnsLab.NamespacePath(ns), () =>
            {
                    using var wireGuard = WireGuardClient.Open(WireGuardBackend.Userspace);
                    wireGuard.DeleteDevice(iface);
                });
            }
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"server-bench: deleting {iface}: {e.Message}");
        }

        // The lab's own signal handler may already have deleted the namespace (signal handlers run in no set
        // order), so the server's wireguard-go is also found by its command line: our unique interface name.
        foreach (int pid in ServerWireGuardPids.Concat(PidsIn(ns)).Concat(WireGuardGoServing(iface)).Distinct())
        {
            Terminate(pid);
        }

        WireGuardGoSockets.RemoveOwn(iface);
    }

    /// <summary>SIGTERM, wait up to 3 s, SIGKILL. Only PIDs found in our own namespace reach here.</summary>
    private static void Terminate(int pid)
    {
        string id = pid.ToString(CultureInfo.InvariantCulture);
        if (!Directory.Exists($"/proc/{id}"))
        {
            return;
        }

        _ = ProcessRunner.Run("kill", ["-TERM", id]);
        var clock = Stopwatch.StartNew();
        while (Directory.Exists($"/proc/{id}") && clock.Elapsed < ProcessGrace)
        {
            Thread.Sleep(20);
        }

        if (Directory.Exists($"/proc/{id}"))
        {
            _ = ProcessRunner.Run("kill", ["-KILL", id]);
        }
    }

    /// <summary>Processes whose command line is <c>… wireguard-go … {iface}</c> (daemon mode; the name is unique machine-wide).</summary>
    private static List<int> WireGuardGoServing(string iface)
    {
        var pids = new List<int>();
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
            {
                continue;
            }

            try
            {
                string[] argv = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0', StringSplitOptions.RemoveEmptyEntries);
                if (argv.Length > 1 && Path.GetFileName(argv[0]) == "wireguard-go" && argv.Skip(1).Contains(iface))
                {
                    pids.Add(pid);
                }
            }
            catch (IOException)
            {
                // exited meanwhile
            }
        }

        return pids;
    }

    private static List<int> PidsIn(string ns)
    {
        if (!File.Exists(NetnsLab.NamespacePath(ns)))
        {
            return [];
        }

        return [.. ProcessRunner.Run("ip", ["netns", "pids", ns]).StandardOutput
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => int.Parse(p, CultureInfo.InvariantCulture))];
    }
}
