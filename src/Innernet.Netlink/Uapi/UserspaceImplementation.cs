using System.ComponentModel;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Innernet.Netlink.Uapi;

/// <summary>
/// Finds and starts the userspace WireGuard implementation (wireguard-go or a compatible program) the
/// way innernet and wg-quick do, without a shell.
/// </summary>
internal static class UserspaceImplementation
{
    /// <summary>Overrides the implementation (innernet, wg-quick).</summary>
    public const string ImplementationVariable = "WG_USERSPACE_IMPLEMENTATION";

    /// <summary>The wg-quick spelling, consulted second.</summary>
    public const string QuickImplementationVariable = "WG_QUICK_USERSPACE_IMPLEMENTATION";

    /// <summary>The program used when neither variable is set.</summary>
    public const string DefaultProgram = "wireguard-go";

    /// <summary>Where wireguard-go writes the real utun name (macOS, OpenBSD).</summary>
    public const string TunNameFileVariable = "WG_TUN_NAME_FILE";

    /// <summary>The interface name that makes wireguard-go pick the next free utun unit (macOS).</summary>
    public const string MacOSAnyUtun = "utun";

    /// <summary>
    /// Variables removed from the child's environment: the daemon hand-off variables of wireguard-go
    /// (inherited, they would make it run in the foreground and never exit, or use fds it does not
    /// have) and <c>LOG_LEVEL</c> (with it the daemon would keep writing to our pipes after its parent
    /// exits, and die of SIGPIPE once we close them).
    /// </summary>
    private static readonly string[] RemovedVariables =
    [
        "WG_PROCESS_FOREGROUND", "WG_TUN_FD", "WG_UAPI_FD", "LOG_LEVEL", TunNameFileVariable,
    ];

    private const int MaxCapturedChars = 8 * 1024;
    private static readonly TimeSpan OutputDrainTimeout = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The program to run: <paramref name="configured"/>, else <c>$WG_USERSPACE_IMPLEMENTATION</c>, else
    /// <c>$WG_QUICK_USERSPACE_IMPLEMENTATION</c>, else <c>wireguard-go</c>. Empty values count as unset.
    /// </summary>
    public static string Choose(string? configured, Func<string, string?> getEnvironmentVariable)
    {
        ArgumentNullException.ThrowIfNull(getEnvironmentVariable);
        foreach (var candidate in new[]
                 {
                     configured,
                     getEnvironmentVariable(ImplementationVariable),
                     getEnvironmentVariable(QuickImplementationVariable),
                 })
        {
            if (!string.IsNullOrEmpty(candidate))
            {
                return candidate;
            }
        }

        return DefaultProgram;
    }

    /// <summary>
    /// The file to execute for <paramref name="program"/>: a path (anything with '/') if the file
    /// exists, else the first match on <paramref name="searchPath"/> (a <c>PATH</c> value).
    /// </summary>
    /// <exception cref="FileNotFoundException">No such program.</exception>
    public static string Locate(string program, string? searchPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(program);
        if (program.Contains('/', StringComparison.Ordinal))
        {
            if (File.Exists(program))
            {
                return program;
            }
        }
        else
        {
            foreach (var directory in (searchPath ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries))
            {
                string candidate = Path.Combine(directory, program);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new FileNotFoundException(
            $"Cannot find \"{program}\". Specify a custom path with {ImplementationVariable}.", program);
    }

    /// <summary>
    /// Runs <paramref name="executable"/> with <paramref name="arguments"/> and waits for it to exit
    /// (wireguard-go daemonizes: the parent exits 0 once the device and its socket are set up).
    /// </summary>
    /// <exception cref="IOException">The program could not start, did not exit in time, or exited nonzero (its output is in the
    /// message).</exception>
    public static void Run(
        string executable, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        using var run = Started.Start(executable, arguments, environment);
        if (!run.Process.WaitForExit(timeout))
        {
            throw run.KilledAfter(timeout);
        }

        run.Finish();
    }

    /// <summary>
    /// <see cref="Run"/> without blocking the thread while the program runs. Cancellation kills the program (as a
    /// timeout does) and throws <see cref="OperationCanceledException"/>; a daemon it had already started keeps running.
    /// </summary>
    /// <exception cref="IOException">The program could not start, did not exit in time, or exited nonzero.</exception>
    public static async Task RunAsync(
        string executable,
        IReadOnlyList<string> arguments,
        IReadOnlyDictionary<string, string> environment,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var run = Started.Start(executable, arguments, environment);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await run.Process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw run.KilledAfter(timeout);
        }
        catch (OperationCanceledException)
        {
            TryKill(run.Process);
            throw;
        }

        run.Finish();
    }

    /// <summary>A started implementation process whose output is being captured.</summary>
    private sealed class Started : IDisposable
    {
        private readonly string _commandLine;
        private readonly StringBuilder _output = new();
        private readonly Task[] _drains;

        private Started(Process process, string commandLine)
        {
            Process = process;
            _commandLine = commandLine;
            _drains = [Drain(process.StandardError, _output), Drain(process.StandardOutput, _output)];
        }

        public Process Process { get; }

        public static Started Start(string executable, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment)
        {
            var start = new ProcessStartInfo(executable)
            {
                UseShellExecute = false,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                CreateNoWindow = true,
            };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            foreach (var name in RemovedVariables)
            {
                start.Environment.Remove(name);
            }

            foreach (var (name, value) in environment)
            {
                start.Environment[name] = value;
            }

            string commandLine = string.Join(' ', [executable, .. arguments]);
            var process = new Process { StartInfo = start };
            try
            {
                process.Start();
            }
            catch (Win32Exception e)
            {
                process.Dispose();
                throw new IOException($"Cannot start \"{commandLine}\": {e.Message}", e);
            }

            process.StandardInput.Close();
            return new Started(process, commandLine);
        }

        /// <summary>Kills the program that overran <paramref name="timeout"/> and returns the error to throw.</summary>
        public IOException KilledAfter(TimeSpan timeout)
        {
            TryKill(Process);
            return new IOException(
                $"\"{_commandLine}\" did not exit within {timeout.TotalSeconds:0.###} s (WireGuardClientOptions.StartTimeout); " +
                "it was killed. " +
                $"Output: {Snapshot(_output)}");
        }

        /// <summary>After the exit: collects the output and throws when the exit code is not 0.</summary>
        public void Finish()
        {
            // The streams reach EOF once every holder (the daemon gets /dev/null) has closed them; a
            // program that hands them to a long-lived child must not block us: wait briefly only.
            Task.WaitAll(_drains, OutputDrainTimeout);
            if (Process.ExitCode != 0)
            {
                throw new IOException($"\"{_commandLine}\" exited with code {Process.ExitCode}: {Snapshot(_output)}");
            }
        }

        public void Dispose() => Process.Dispose();
    }

    private static async Task Drain(StreamReader reader, StringBuilder output)
    {
        var buffer = new char[1024];
        try
        {
            int read;
            while ((read = await reader.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                lock (output)
                {
                    int room = MaxCapturedChars - output.Length;
                    if (room > 0)
                    {
                        output.Append(buffer, 0, Math.Min(room, read));
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The process object was disposed while a child still held the pipe: stop capturing.
        }
    }

    private static string Snapshot(StringBuilder output)
    {
        string text;
        lock (output)
        {
            text = output.ToString().Trim();
        }

        return text.Length == 0 ? "(no output)" : text;
    }

    private static void TryKill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: false);
            process.WaitForExit(OutputDrainTimeout);
        }
        catch (InvalidOperationException)
        {
            // It exited in the meantime.
        }
    }
}
