using System.CommandLine;
using Innernet.Cli;

namespace Innernet.Client.Cli;

/// <summary>
/// Wraps a verb handler: anticipated failures are printed as one line (plus a hint) with their exit code (<see cref="VerbRunner"/>).
/// </summary>
internal static class CliAction
{
    private const string PermissionHint =
        "hint: innernet needs CAP_NET_ADMIN and access to its config and data directories: run it as root, or " +
        "`setcap cap_net_admin+eip` the binary and give an 'innernet' group rwX on those directories.";

    public static Func<ParseResult, CancellationToken, Task<int>> Create(
        ClientContext context, Func<ParseResult, CancellationToken, Task> handler)
        => (parseResult, cancellationToken) => VerbRunner.RunAsync(
            context.Error, token => handler(parseResult, token), PermissionHint, cancellationToken);
}
