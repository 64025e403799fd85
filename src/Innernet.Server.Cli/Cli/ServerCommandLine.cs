using System.CommandLine;
using Innernet.Cli;
using Innernet.Server.Commands;

namespace Innernet.Server.Cli;

/// <summary>The <c>innernet-server</c> command tree and its invocation.</summary>
internal static class ServerCommandLine
{
    /// <summary>How long SIGINT/SIGTERM wait for the action to finish after cancelling it (serve stops Kestrel).</summary>
    private static readonly TimeSpan TerminationTimeout = TimeSpan.FromSeconds(15);

    /// <summary>The completion script's function and program (<c>completions</c> needs no root).</summary>
    private static readonly CompletionTarget Completions = new("_innernet_server", ["innernet-server"]);

    public static RootCommand Create(CliContext context) => Create(context, new GlobalOptions());

    /// <summary>The tree over given global options (tests read the parsed meaning through them).</summary>
    internal static RootCommand Create(CliContext context, GlobalOptions global)
    {
        var root = new RootCommand("innernet-server: the coordination server of an innernet network (WireGuard)");
        foreach (var option in global.All)
        {
            root.Options.Add(option);
        }

        root.Subcommands.Add(NewCommand.Create(context, global));
        root.Subcommands.Add(ServeCommand.Create(context, global));
        root.Subcommands.Add(UninstallCommand.Create(context, global));
        root.Subcommands.Add(ImportCommand.Create(context, global));
        root.Subcommands.Add(ExportCommand.Create(context, global));
        root.Subcommands.Add(MigrateCommand.Create(context, global));
        root.Subcommands.Add(AddPeerCommand.Create(context, global));
        root.Subcommands.Add(EnablePeerCommand.Create(context, global, enable: false));
        root.Subcommands.Add(EnablePeerCommand.Create(context, global, enable: true));
        root.Subcommands.Add(DeletePeerCommand.Create(context, global));
        root.Subcommands.Add(AuditCommand.Create(context, global));
        root.Subcommands.Add(RenameCommands.Peer(context, global));
        root.Subcommands.Add(AddCidrCommand.Create(context, global));
        root.Subcommands.Add(RenameCommands.Cidr(context, global));
        root.Subcommands.Add(DeleteCidrCommand.Create(context, global));
        root.Subcommands.Add(ListCommands.ListPeers(context, global));
        root.Subcommands.Add(ListCommands.ListCidrs(context, global));
        root.Subcommands.Add(ListCommands.ListAssociations(context, global));
        root.Subcommands.Add(AssociationCommands.Create(context, global, add: true));
        root.Subcommands.Add(AssociationCommands.Create(context, global, add: false));
        root.Subcommands.Add(ReissueInviteCommand.Create(context, global));
        root.Subcommands.Add(SetExternalEndpointCommand.Create(context, global));
        root.Subcommands.Add(CompletionsCommand.Create(
            () => root, Completions, context.Out, handler => CliAction.Create(context, requiresRoot: false, handler)));
        return root;
    }

    /// <summary>Parses and runs; parse errors exit with <see cref="ExitCode.Usage"/>.</summary>
    /// <param name="handleTermination">Turn SIGINT/SIGTERM into cancellation (the real process); tests pass false.</param>
    public static async Task<int> InvokeAsync(
        string[] args, CliContext context, bool handleTermination = false, CancellationToken cancellationToken = default)
    {
        var configuration = new InvocationConfiguration
        {
            Output = context.Out,
            Error = context.Error,
            ProcessTerminationTimeout = handleTermination ? TerminationTimeout : null,
        };
        return await CommandLineInvoker.InvokeAsync(Create(context), args, configuration, "innernet-server", cancellationToken)
            .ConfigureAwait(false);
    }
}
