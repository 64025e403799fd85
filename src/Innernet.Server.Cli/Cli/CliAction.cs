using System.CommandLine;
using Innernet.Core;
using Innernet.Netlink.Errors;

namespace Innernet.Server.Cli;

/// <summary>Wraps a verb handler: the root check, and anticipated failures printed as one line with their exit code.</summary>
internal static class CliAction
{
    private const int EPERM = 1;
    private const int EACCES = 13;

    public static Func<ParseResult, CancellationToken, Task<int>> Create(
        CliContext context, bool requiresRoot, Func<ParseResult, CancellationToken, Task> handler)
        => async (parseResult, cancellationToken) =>
        {
            try
            {
                if (requiresRoot && !context.IsRoot())
                {
                    throw new CliUserException(
                        "innernet-server must run as root (try sudo); only 'completions' and '--help' work without it", ExitCode.Permission);
                }

                await handler(parseResult, cancellationToken).ConfigureAwait(false);
                return (int)ExitCode.Ok;
            }
            catch (Exception e) when (Classify(e, cancellationToken) is { } code)
            {
                await context.Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
                return (int)code;
            }
        };

    /// <summary>The exit code of an anticipated failure, or null to let the default handler print the stack trace.</summary>
    public static ExitCode? Classify(Exception e, CancellationToken cancellationToken) => e switch
    {
        CliUserException user => user.Code,
        NotFoundException => ExitCode.NotFound,
        InnernetException => ExitCode.Failure,
        UnauthorizedAccessException => ExitCode.Permission,
        NetlinkException { Errno: EPERM or EACCES } => ExitCode.Permission,
        IOException => ExitCode.Failure,
        OperationCanceledException when cancellationToken.IsCancellationRequested => ExitCode.Failure,
        _ => null,
    };
}
