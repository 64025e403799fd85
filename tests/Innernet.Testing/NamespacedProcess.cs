using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using Xunit;

namespace Innernet.Testing;

/// <summary>
/// A long-running command started in the background inside a network namespace (<c>ip netns exec NS PROGRAM ARGS</c>,
/// no shell, stdin closed), e.g. <c>innernet-server serve</c>. <c>ip netns exec</c> execs the program, so
/// <see cref="Id"/> is the program itself. Its stdout and stderr lines are collected in memory (<see cref="Log"/>);
/// <see cref="Stop"/> sends SIGTERM (what systemd sends) and kills after a bounded wait. Dispose stops it.
/// </summary>
public sealed class NamespacedProcess : IDisposable
{
    /// <summary>How long <see cref="Stop"/> waits after SIGTERM before it kills.</summary>
    public static readonly TimeSpan DefaultStopTimeout = TimeSpan.FromSeconds(20);

    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly Lock _logLock = new();
    private bool _disposed;

    private NamespacedProcess(string ns, Process process, string commandLine)
    {
        Namespace = ns;
        _process = process;
        CommandLine = commandLine;
    }

    public string Namespace { get; }

    /// <summary>The command line as started (for messages).</summary>
    public string CommandLine { get; }

    /// <summary>The program's pid (<c>ip netns exec</c> execs it).</summary>
    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The exit code; only valid once <see cref="HasExited"/>.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>A snapshot of the stdout and stderr lines so far (interleaved as they arrived).</summary>
    public string Log
    {
        get
        {
            lock (_logLock)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts <c>ip netns exec <paramref name="ns"/> <paramref name="program"/> ARGS</c> in the background.</summary>
    public static NamespacedProcess Start(string ns, string program, IEnumerable<string> arguments)
    {
        ArgumentException.ThrowIfNullOrEmpty(ns);
        ArgumentException.ThrowIfNullOrEmpty(program);
        ArgumentNullException.ThrowIfNull(arguments);
        var psi = new ProcessStartInfo("ip")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (string arg in (string[])["netns", "exec", ns, program, .. arguments])
        {
            psi.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = psi };
        var started = new NamespacedProcess(ns, process, string.Join(' ', ["ip", .. psi.ArgumentList]));
        process.OutputDataReceived += (_, e) => started.Append(e.Data);
        process.ErrorDataReceived += (_, e) => started.Append(e.Data);
        try
        {
            if (!process.Start())
            {
                throw new InvalidOperationException($"could not start '{started.CommandLine}'");
            }
        }
        catch
        {
            process.Dispose();
            throw;
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return started;
    }

    /// <summary>
    /// SIGTERM, then waits up to <paramref name="timeout"/> (default <see cref="DefaultStopTimeout"/>) and kills the
    /// whole tree if it is still running. Returns the exit code, or -1 when it had to be killed. A process that has
    /// already exited is not signalled (its exit code is returned).
    /// </summary>
    public int Stop(TimeSpan? timeout = null)
    {
        if (!_process.HasExited)
        {
            _ = NativeMethods.Kill(_process.Id, NativeMethods.SIGTERM);
            if (!_process.WaitForExit(timeout ?? DefaultStopTimeout))
            {
                Kill();
                _process.WaitForExit();
                return -1;
            }
        }

        _process.WaitForExit(); // drains the asynchronous readers
        return _process.ExitCode;
    }

    /// <summary>SIGKILL to the process tree at once (e.g. from a signal handler); nothing happens when it is already gone.</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception)
        {
            // already gone
        }
    }

    /// <summary>
    /// Polls <paramref name="condition"/> every <paramref name="poll"/> until it holds; fails the test when
    /// <paramref name="timeout"/> passes or the process exits first, with <paramref name="what"/> and
    /// <paramref name="describe"/>'s text (e.g. the log) in the message.
    /// </summary>
    public async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, TimeSpan poll, string what, Func<string> describe,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(describe);
        var clock = Stopwatch.StartNew();
        bool met = false;
        await Eventually.UntilAsync(() => (met = condition()) || HasExited, timeout, poll, ct).ConfigureAwait(false);
        if (!met)
        {
            string why = HasExited ? "the process exited" : "timed out";
            Assert.Fail($"{why} after {clock.Elapsed.TotalSeconds:0.0} s waiting for {what}\n{describe()}");
        }
    }

    /// <summary>Stops the process (<see cref="Stop"/>) and releases it. Idempotent.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            Stop();
        }
        finally
        {
            _process.Dispose();
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_logLock)
            {
                _log.AppendLine(line);
            }
        }
    }
}
