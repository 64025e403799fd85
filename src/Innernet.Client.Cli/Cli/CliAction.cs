using System.CommandLine;
using Innernet.Core;
using Innernet.Core.Api;
using Innernet.Netlink.Errors;

namespace Innernet.Client.Cli;

/// <summary>Wraps a verb handler: anticipated failures are printed as one line (plus a hint) with their exit code.</summary>
internal static class CliAction
{
    private const int EPERM = 1;
    private const int EACCES = 13;

    public static Func<ParseResult, CancellationToken, Task<int>> Create(
        ClientContext context, Func<ParseResult, CancellationToken, Task> handler)
        => async (parseResult, cancellationToken) =>
        {
            try
            {
                await handler(parseResult, cancellationToken).ConfigureAwait(false);
                return (int)ExitCode.Ok;
            }
            catch (Exception e) when (Classify(e, cancellationToken) is { } code)
            {
                await context.Error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
                if (code == ExitCode.Permission)
                {
                    await context.Error.WriteLineAsync(
                        "hint: innernet needs CAP_NET_ADMIN and access to its config and data directories: run it as root, or " +
                        "`setcap cap_net_admin+eip` the binary and give an 'innernet' group rwX on those directories.").ConfigureAwait(false);
                }

                return (int)code;
            }
        };

    /// <summary>The exit code of an anticipated failure, or null to let the default handler print the stack trace.</summary>
    public static ExitCode? Classify(Exception e, CancellationToken cancellationToken) => e switch
    {
        CliUserException user => user.Code,
        NotFoundException => ExitCode.NotFound,
        ApiStatusException { StatusCode: HttpStatusCode.NotFound } => ExitCode.NotFound,
        ValidationException => ExitCode.Failure,
        InnernetException => ExitCode.Failure,
        UnauthorizedAccessException => ExitCode.Permission,
        NetlinkException { Errno: EPERM or EACCES } => ExitCode.Permission,
        IOException => ExitCode.Failure,
        OperationCanceledException when cancellationToken.IsCancellationRequested => ExitCode.Failure,
        _ => null,
    };
}
