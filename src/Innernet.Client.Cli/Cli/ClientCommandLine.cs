using System.CommandLine;
using Innernet.Cli;
using Innernet.Client.Commands;

namespace Innernet.Client.Cli;

/// <summary>The <c>inn</c>/<c>innernet</c> command tree: global options plus every innernet 1.7 verb; no verb runs <c>show</c>.</summary>
internal static class ClientCommandLine
{
    /// <summary>The completion script's function and programs: <c>innernet</c> and its short name <c>inn</c>.</summary>
    private static readonly CompletionTarget Completions = new("_innernet", ["innernet", "inn"]);

    public static RootCommand Build(ClientContext context) => Build(context, new GlobalOptions());

    /// <summary>The tree over given global options (tests read the parsed meaning through them).</summary>
    internal static RootCommand Build(ClientContext context, GlobalOptions globals)
    {
        var root = new RootCommand("innernet client: join and use innernet networks");
        foreach (var option in globals.All)
        {
            root.Options.Add(option);
        }

        root.Subcommands.Add(InstallCommand.Create(context, globals));
        root.Subcommands.Add(ShowCommand.Create(context, globals, out var show));
        root.Subcommands.Add(UpCommand.Create(context, globals));
        root.Subcommands.Add(FetchCommand.Create(context, globals));
        root.Subcommands.Add(DownCommand.Create(context, globals));
        root.Subcommands.Add(UninstallCommand.Create(context, globals));
        root.Subcommands.Add(AddPeerCommand.Create(context, globals));
        root.Subcommands.Add(PeerAdminCommands.Rename(context, globals));
        root.Subcommands.Add(CidrCommands.Add(context, globals));
        root.Subcommands.Add(CidrCommands.Rename(context, globals));
        root.Subcommands.Add(CidrCommands.Delete(context, globals));
        root.Subcommands.Add(CidrCommands.List(context, globals));
        root.Subcommands.Add(PeerAdminCommands.SetEnabled(context, globals, enable: false));
        root.Subcommands.Add(PeerAdminCommands.SetEnabled(context, globals, enable: true));
        root.Subcommands.Add(PeerAdminCommands.Delete(context, globals));
        root.Subcommands.Add(RotateKeyCommand.Create(context, globals));
        root.Subcommands.Add(AuditCommand.Create(context, globals));
        root.Subcommands.Add(AssociationCommands.Add(context, globals));
        root.Subcommands.Add(AssociationCommands.Delete(context, globals));
        root.Subcommands.Add(AssociationCommands.List(context, globals));
        root.Subcommands.Add(SetListenPortCommand.Create(context, globals));
        root.Subcommands.Add(OverrideEndpointCommand.Create(context, globals));
        root.Subcommands.Add(OverridePeerEndpointCommand.Create(context, globals));
        root.Subcommands.Add(CompletionsCommand.Create(
            () => root, Completions, context.Out, handler => CliAction.Create(context, handler)));
        root.SetAction(show);
        return root;
    }

    /// <summary>Parses and runs; usage errors exit with 2.</summary>
    public static Task<int> RunAsync(string[] args, ClientContext context)
        => CommandLineInvoker.InvokeAsync(
            Build(context), args, new InvocationConfiguration { Output = context.Out, Error = context.Error }, "innernet");
}
