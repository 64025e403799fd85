using System.Diagnostics;

namespace Innernet.Testing;

/// <summary>
/// Runs a program without a shell (arguments go through <see cref="ProcessStartInfo.ArgumentList"/>),
/// captures stdout/stderr and bounds the wait: a process that outlives its timeout is killed.
/// </summary>
public static class ProcessRunner
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public static ProcessResult Run(string program, IEnumerable<string> arguments, TimeSpan? timeout = null, string? standardInput = null)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var psi = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            psi.ArgumentList.Add(argument);
        }

        string commandLine = string.Join(' ', [program, .. psi.ArgumentList]);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start '{commandLine}'");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (standardInput is not null)
        {
            process.StandardInput.Write(standardInput);
        }

        process.StandardInput.Close();
        var limit = timeout ?? DefaultTimeout;
        if (!process.WaitForExit(limit))
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // exited between the timeout and the kill
            }

            process.WaitForExit();
            throw new TimeoutException($"'{commandLine}' did not finish within {limit.TotalSeconds:0.#} s and was killed.");
        }

        process.WaitForExit(); // drains the asynchronous readers
        return new ProcessResult(commandLine, process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }
}
