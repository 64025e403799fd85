namespace Innernet.Testing;

/// <summary>The outcome of a finished child process: exit code and the captured output.</summary>
public sealed record ProcessResult(string CommandLine, int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>Throws with the command line and both outputs unless the exit code is 0.</summary>
    public ProcessResult EnsureSuccess()
    {
        if (ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"'{CommandLine}' exited with {ExitCode}.\nstdout: {StandardOutput.Trim()}\nstderr: {StandardError.Trim()}");
        }

        return this;
    }

    public override string ToString() => $"'{CommandLine}' → {ExitCode}\n{StandardOutput}{StandardError}";
}
