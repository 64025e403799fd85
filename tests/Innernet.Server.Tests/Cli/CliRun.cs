namespace Innernet.Server.Tests.Cli;

/// <summary>One in-process run: exit code and captured output.</summary>
internal sealed record CliRun(int ExitCode, string Out, string Error)
{
    public CliRun AssertOk()
    {
        Assert.True(ExitCode == 0, $"exit {ExitCode}\nstdout: {Out}\nstderr: {Error}");
        return this;
    }

    public CliRun AssertFails(int expected, string errorContains)
    {
        Assert.True(ExitCode == expected, $"expected exit {expected}, got {ExitCode}\nstdout: {Out}\nstderr: {Error}");
        Assert.Contains(errorContains, Error, StringComparison.Ordinal);
        return this;
    }
}
