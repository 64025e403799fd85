using System.Net;
using Innernet.Core;
using Innernet.Core.Api;
using Innernet.Netlink;

namespace Innernet.Cli;

/// <summary>
/// Runs a verb handler: anticipated failures are printed as one <c>error:</c> line (no stack trace) and become the exit code.
/// </summary>
internal static class VerbRunner
{
    /// <summary>Runs <paramref name="handler"/>; <see cref="ExitCode.Ok"/> when it returns.</summary>
    /// <param name="error">Where the error line goes.</param>
    /// <param name="handler">The verb's work.</param>
    /// <param name="permissionHint">A line printed after a <see cref="ExitCode.Permission"/> failure, or null.</param>
    /// <param name="cancellationToken">The invocation's token (Ctrl-C): a cancellation it caused is a failure, not a crash.</param>
    public static async Task<int> RunAsync(
        TextWriter error, Func<CancellationToken, Task> handler, string? permissionHint, CancellationToken cancellationToken)
    {
        try
        {
            await handler(cancellationToken).ConfigureAwait(false);
            return (int)ExitCode.Ok;
        }
        catch (Exception e) when (Classify(e, cancellationToken) is { } code)
        {
            await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            if (code == ExitCode.Permission && permissionHint is not null)
            {
                await error.WriteLineAsync(permissionHint).ConfigureAwait(false);
            }

            return (int)code;
        }
    }

    /// <summary>The exit code of an anticipated failure, or null to let the default handler print the stack trace.</summary>
    public static ExitCode? Classify(Exception e, CancellationToken cancellationToken) => e switch
    {
        CliUserException user => user.Code,
        NotFoundException => ExitCode.NotFound,
        ApiStatusException { StatusCode: HttpStatusCode.NotFound } => ExitCode.NotFound,
        InnernetException => ExitCode.Failure,
        UnauthorizedAccessException => ExitCode.Permission,
        NetlinkException { Errno: Errno.EPERM or Errno.EACCES } => ExitCode.Permission,
        IOException => ExitCode.Failure,
        OperationCanceledException when cancellationToken.IsCancellationRequested => ExitCode.Failure,
        _ => null,
    };
}
