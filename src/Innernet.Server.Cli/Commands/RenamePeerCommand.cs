using System.CommandLine;
using Innernet.Server.Cli;

namespace Innernet.Server.Commands;

/// <summary><c>rename-peer &lt;iface&gt;</c>: changes a peer's name (the server peer excluded).</summary>
internal static class RenamePeerCommand
{
    public static Command Create(CliContext context, GlobalOptions global)
    {
        var iface = CommonOptions.Interface();
        var name = CommonOptions.Name("Current name of the peer");
        var newName = CommonOptions.NewName("New name of the peer");
        var yes = CommonOptions.Yes();
        var command = new Command("rename-peer", "Rename a peer") { iface, name, newName, yes };
        command.SetAction(CliAction.Create(context, requiresRoot: true, (parse, ct) => RunAsync(
            context,
            global.Read(parse),
            new PeerNameArgs(parse.GetRequiredValue(iface), parse.GetValue(name), parse.GetValue(newName), parse.GetValue(yes)),
            ct)));
        return command;
    }

    public static async Task RunAsync(CliContext context, GlobalArgs global, PeerNameArgs args, CancellationToken cancellationToken)
    {
        await using var session = await NetworkSession.OpenAsync(context, global, args.Interface, cancellationToken).ConfigureAwait(false);
        var peers = Choose.NonServer(await session.Admin.ListPeersAsync(cancellationToken).ConfigureAwait(false));
        var peer = Choose.Peer(context.Prompter, peers, args.Name, "--name", "Peers");
        string newName = args.NewName ?? context.Prompter.Ask("--new-name", "New name", null, Values.HostnameError);
        Choose.Confirm(context.Prompter, args.Yes, $"Rename peer '{peer.Name}' to '{newName}'?");
        await session.Admin.RenamePeerAsync(peer, newName, cancellationToken).ConfigureAwait(false);
        await context.Out.WriteLineAsync($"Peer '{peer.Name}' renamed to '{newName}'.").ConfigureAwait(false);
    }
}
