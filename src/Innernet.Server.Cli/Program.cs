using Innernet.Server.Cli;

namespace Innernet.Server;

internal static class Program
{
    private static Task<int> Main(string[] args)
        => ServerCommandLine.InvokeAsync(args, CliContext.CreateDefault(), handleTermination: true);
}
