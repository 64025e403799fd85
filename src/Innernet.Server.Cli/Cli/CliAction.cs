using System.CommandLine;
using Innernet.Cli;

namespace Innernet.Server.Cli;

/// <summary>
/// Wraps a verb handler: the root check, and anticipated failures printed as one line with their exit code (<see cref="VerbRunner"/>).
/// </summary>
internal static class CliAction
{
    public static Func<ParseResult, CancellationToken, Task<int>> Create(
        CliContext context, bool requiresRoot, Func<ParseResult, CancellationToken, Task> handler)
        => (parseResult, cancellationToken) => VerbRunner.RunAsync(
            context.Error,
            async token =>
            {
                if (requiresRoot && !context.IsRoot())
                {
                    throw new CliUserException(
                        "innernet-server must run as root (try sudo); only 'completions' and '--help' work without it",
                        ExitCode.Permission);
                }

                await handler(parseResult, token).ConfigureAwait(false);
            },
            permissionHint: null,
            cancellationToken);
}
