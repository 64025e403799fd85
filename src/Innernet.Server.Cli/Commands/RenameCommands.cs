using System.CommandLine;
using Innernet.Cli;
using Innernet.Server.Cli;

namespace Innernet.Server.Commands;

/// <summary><c>rename-peer &lt;iface&gt;</c> (the server peer excluded) and <c>rename-cidr &lt;iface&gt;</c>: change a name.</summary>
internal static class RenameCommands
{
    public static Command Peer(CliContext context, GlobalOptions global) => Create(context, global, "rename-peer", "peer", RenamePeerAsync);

    public static Command Cidr(CliContext context, GlobalOptions global) => Create(context, global, "rename-cidr", "CIDR", RenameCidrAsync);

    public static async Task RenamePeerAsync(CliContext context, GlobalArgs global, PeerNameArgs args, CancellationToken cancellationToken)
    {
        await using var session = await NetworkSession.OpenAsync(context, global, args.Interface, cancellationToken).ConfigureAwait(false);
        var peers = Choose.NonServer(await session.Admin.ListPeersAsync(cancellationToken).ConfigureAwait(false));
        var peer = Choose.Peer(context.Prompter, peers, args.Name, "--name", "Peers");
        string newName = AskNewName(context, args);
        Choose.Confirm(context.Prompter, args.Yes, $"Rename peer '{peer.Name}' to '{newName}'?");
        await session.Admin.RenamePeerAsync(peer, newName, cancellationToken).ConfigureAwait(false);
        await context.Out.WriteLineAsync($"Peer '{peer.Name}' renamed to '{newName}'.").ConfigureAwait(false);
    }

    public static async Task RenameCidrAsync(CliContext context, GlobalArgs global, PeerNameArgs args, CancellationToken cancellationToken)
    {
        await using var session = await NetworkSession.OpenAsync(context, global, args.Interface, cancellationToken).ConfigureAwait(false);
        var cidrs = await session.Admin.ListCidrsAsync(cancellationToken).ConfigureAwait(false);
        var cidr = Choose.Cidr(context.Prompter, cidrs, args.Name, "--name", "CIDRs");
        string newName = AskNewName(context, args);
        Choose.Confirm(context.Prompter, args.Yes, $"Rename CIDR '{cidr.Name}' to '{newName}'?");
        await session.Admin.RenameCidrAsync(cidr, newName, cancellationToken).ConfigureAwait(false);
        await context.Out.WriteLineAsync($"CIDR '{cidr.Name}' renamed to '{newName}'.").ConfigureAwait(false);
    }

    /// <summary>The verb with <c>&lt;iface&gt; --name --new-name --yes</c>, as root.</summary>
    private static Command Create(
        CliContext context, GlobalOptions global, string verb, string noun,
        Func<CliContext, GlobalArgs, PeerNameArgs, CancellationToken, Task> run)
    {
        var iface = CommonOptions.Interface();
        var name = CommonOptions.Name($"Current name of the {noun}");
        var newName = CommonOptions.NewName($"New name of the {noun}");
        var yes = CommonOptions.Yes();
        var command = new Command(verb, $"Rename a {noun}") { iface, name, newName, yes };
        command.SetAction(CliAction.Create(context, requiresRoot: true, (parse, ct) => run(
            context,
            global.Read(parse),
            new PeerNameArgs(parse.GetRequiredValue(iface), parse.GetValue(name), parse.GetValue(newName), parse.GetValue(yes)),
            ct)));
        return command;
    }

    private static string AskNewName(CliContext context, PeerNameArgs args)
        => args.NewName ?? context.Prompter.Ask("--new-name", "New name", null, Values.HostnameError);
}
