using System.Diagnostics;

namespace Innernet.Testing;

/// <summary>
/// A <c>wireguard-go -f</c> process started by a <see cref="NetnsLab"/> inside one of its namespaces.
/// The lab owns it: the PID is wireguard-go itself (<c>ip netns exec</c> execs), its stdout/stderr are
/// drained into <see cref="LogPath"/>, and <see cref="Stop"/> (called by the lab's Dispose) terminates
/// it and removes its UAPI socket.
/// </summary>
public sealed class WireGuardGoProcess
{
    private static readonly TimeSpan TermGrace = TimeSpan.FromSeconds(3);

    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Lock _logLock = new();
    private bool _stopped;

    internal WireGuardGoProcess(string ns, string interfaceName, Process process, string logPath, StreamWriter log)
    {
        Namespace = ns;
        InterfaceName = interfaceName;
        _process = process;
        LogPath = logPath;
        _log = log;
        Pid = process.Id;
    }

    public string Namespace { get; }

    public string InterfaceName { get; }

    public int Pid { get; }

    public string LogPath { get; }

    public string SocketPath => WireGuardGoSockets.PathFor(InterfaceName);

    public bool HasExited => _process.HasExited;

    /// <summary>Blocks until the process has exited (true) or <paramref name="timeout"/> passed (false).</summary>
    public bool WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout);

    internal void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_logLock)
        {
            if (!_stopped)
            {
                _log.WriteLine(line);
            }
        }
    }

    /// <summary>The log so far (last <paramref name="maxChars"/> characters), for assertion messages.</summary>
    public string ReadLog(int maxChars = 8000)
    {
        lock (_logLock)
        {
            if (!_stopped)
            {
                _log.Flush();
            }
        }

        try
        {
            string text = File.ReadAllText(LogPath);
            return text.Length <= maxChars ? text : text[^maxChars..];
        }
        catch (IOException)
        {
            return "(log unavailable)";
        }
    }

    /// <summary>
    /// SIGTERM → wait → SIGKILL if it is still alive → wait → remove its own socket file. Idempotent.
    /// </summary>
    public void Stop()
    {
        if (!_process.HasExited)
        {
            _ = NativeMethods.Kill(Pid, NativeMethods.SIGTERM);
            if (!_process.WaitForExit(TermGrace))
            {
                try
                {
                    _process.Kill();
                }
                catch (InvalidOperationException)
                {
                    // exited meanwhile
                }

                _process.WaitForExit(TermGrace);
            }
        }

        _process.WaitForExit(TermGrace); // flushes the output events
        lock (_logLock)
        {
            if (!_stopped)
            {
                _stopped = true;
                _log.Dispose();
            }
        }

        WireGuardGoSockets.RemoveOwn(InterfaceName);
        _process.Dispose();
    }
}
