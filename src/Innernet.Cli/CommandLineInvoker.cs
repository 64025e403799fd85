using System.CommandLine;

namespace Innernet.Cli;

/// <summary>
/// Parses and runs a command tree: parse errors are printed with a pointer to <c>--help</c> and exit with <see cref="ExitCode.Usage"/>.
/// </summary>
internal static class CommandLineInvoker
{
    /// <param name="root">The command tree.</param>
    /// <param name="args">The arguments.</param>
    /// <param name="configuration">Output, error and termination handling; parse errors go to its
    /// <see cref="InvocationConfiguration.Error"/>.</param>
    /// <param name="program">The program name shown in "Run '<c>program</c> --help' for usage."</param>
    /// <param name="cancellationToken">Cancels the action.</param>
    public static async Task<int> InvokeAsync(
        Command root, string[] args, InvocationConfiguration configuration, string program, CancellationToken cancellationToken = default)
    {
        var parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            foreach (var error in parseResult.Errors)
            {
                await configuration.Error.WriteLineAsync($"error: {error.Message}").ConfigureAwait(false);
            }

            await configuration.Error.WriteLineAsync($"Run '{program} --help' for usage.").ConfigureAwait(false);
            return (int)ExitCode.Usage;
        }

        return await parseResult.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
    }
}
