using System.CommandLine;
using Innernet.Server.Cli;

namespace Innernet.Server.Commands;

/// <summary><c>rename-cidr &lt;iface&gt;</c>: changes a CIDR's name.</summary>
internal static class RenameCidrCommand
{
    public static Command Create(CliContext context, GlobalOptions global)
    {
        var iface = CommonOptions.Interface();
        var name = CommonOptions.Name("Current name of the CIDR");
        var newName = CommonOptions.NewName("New name of the CIDR");
        var yes = CommonOptions.Yes();
        var command = new Command("rename-cidr", "Rename a CIDR") { iface, name, newName, yes };
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
        var cidrs = await session.Admin.ListCidrsAsync(cancellationToken).ConfigureAwait(false);
        var cidr = Choose.Cidr(context.Prompter, cidrs, args.Name, "--name", "CIDRs");
        string newName = args.NewName ?? context.Prompter.Ask("--new-name", "New name", null, Values.HostnameError);
        Choose.Confirm(context.Prompter, args.Yes, $"Rename CIDR '{cidr.Name}' to '{newName}'?");
        await session.Admin.RenameCidrAsync(cidr, newName, cancellationToken).ConfigureAwait(false);
        await context.Out.WriteLineAsync($"CIDR '{cidr.Name}' renamed to '{newName}'.").ConfigureAwait(false);
    }
}
