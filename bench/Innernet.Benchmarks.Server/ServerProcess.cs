using System.Text;
using Innernet.Testing;

namespace Innernet.Benchmarks.Server;

/// <summary>
/// The built <c>innernet-server</c> run by <c>ip netns exec</c> (which execs, so <see cref="Pid"/> is the server
/// itself). Its output is kept with the time since start of each line, for the start-up milestones.
/// </summary>
internal sealed class ServerProcess : IDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(20);

    private readonly Process _process;
    private readonly long _started;
    private readonly StringBuilder _log = new();
    private readonly List<(TimeSpan At, string Line)> _lines = [];
    private bool _disposed;

    private ServerProcess(Process process, long started)
    {
        _process = process;
        _started = started;
    }

    public int Pid { get; private init; }

    public bool HasExited
    {
        get
        {
            lock (_log)
            {
                return _disposed || _process.HasExited;
            }
        }
    }

    /// <summary>When the process was started (a <see cref="Stopwatch"/> timestamp).</summary>
    public long StartTimestamp => _started;

    public static ServerProcess Start(string ns, string binary, IReadOnlyList<string> arguments)
    {
        var psi = new ProcessStartInfo("ip")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string arg in (string[])["netns", "exec", ns, binary, .. arguments])
        {
            psi.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = psi };
        long started = Stopwatch.GetTimestamp();
        process.Start();
        var server = new ServerProcess(process, started) { Pid = process.Id };
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>Time from start to the first output line containing <paramref name="text"/>, or null.</summary>
    public TimeSpan? FirstLine(string text)
    {
        lock (_log)
        {
            foreach (var (at, line) in _lines)
            {
                if (line.Contains(text, StringComparison.Ordinal))
                {
                    return at;
                }
            }
        }

        return null;
    }

    /// <summary>The first output line containing <paramref name="text"/>, or null.</summary>
    public string? FirstLineText(string text)
    {
        lock (_log)
        {
            return _lines.Select(l => l.Line).FirstOrDefault(line => line.Contains(text, StringComparison.Ordinal));
        }
    }

    /// <summary>The output so far (for error messages).</summary>
    public string Log()
    {
        lock (_log)
        {
            return _log.ToString();
        }
    }

    /// <summary>SIGTERM (what systemd sends), wait; SIGKILL after 20 s. Returns the exit code (-1 when it had to be killed).</summary>
    public int Stop()
    {
        if (HasExited)
        {
            return _disposed ? 0 : _process.ExitCode;
        }

        if (!_process.HasExited)
        {
            _ = ProcessRunner.Run("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
            if (!_process.WaitForExit(StopTimeout))
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
                return -1;
            }
        }

        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Dispose()
    {
        Stop();
        lock (_log)
        {
            _disposed = true;
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        var at = Stopwatch.GetElapsedTime(_started);
        lock (_log)
        {
            _log.AppendLine(line);
            _lines.Add((at, line));
        }
    }
}
