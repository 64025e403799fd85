namespace Innernet.Cli;

/// <summary>An anticipated failure: its message is printed without a stack trace and the process exits with <see cref="Code"/>.</summary>
internal sealed class CliUserException : Exception
{
    public CliUserException(string message, ExitCode code = ExitCode.Failure)
        : base(message)
    {
        Code = code;
    }

    public CliUserException(string message, ExitCode code, Exception innerException)
        : base(message, innerException)
    {
        Code = code;
    }

    public ExitCode Code { get; }
}
