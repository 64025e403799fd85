using System.CommandLine;
using Innernet.Cli;
using Innernet.Core.Cidrs;
using Innernet.Core.Model;
using Innernet.Server.Cli;

namespace Innernet.Server.Commands;

/// <summary><c>delete-cidr &lt;iface&gt;</c>: deletes an unused CIDR (the menu offers only CIDRs without peers and children).</summary>
internal static class DeleteCidrCommand
{
    public static Command Create(CliContext context, GlobalOptions global)
    {
        var iface = CommonOptions.Interface();
        var name = CommonOptions.Name("Name of the CIDR to delete");
        var yes = CommonOptions.Yes();
        var command = new Command("delete-cidr", "Delete a CIDR") { iface, name, yes };
        command.SetAction(CliAction.Create(context, requiresRoot: true, (parse, ct) => RunAsync(
            context, global.Read(parse), new PeerNameArgs(parse.GetRequiredValue(iface), parse.GetValue(name), null, parse.GetValue(yes)),
            ct)));
        return command;
    }

    public static async Task RunAsync(CliContext context, GlobalArgs global, PeerNameArgs args, CancellationToken cancellationToken)
    {
        await using var session = await NetworkSession.OpenAsync(context, global, args.Interface, cancellationToken).ConfigureAwait(false);
        var cidrs = await session.Admin.ListCidrsAsync(cancellationToken).ConfigureAwait(false);
        var peers = await session.Admin.ListPeersAsync(cancellationToken).ConfigureAwait(false);
        Cidr cidr;
        if (args.Name is not null)
        {
            cidr = Choose.Cidr(context.Prompter, cidrs, args.Name, "--name", "CIDRs");
        }
        else
        {
            var tree = new CidrTree(cidrs);
            var unused = cidrs.Where(c => c.Id > Cidr.InfraId && tree.IsLeaf(c.Id) && peers.All(p => p.CidrId != c.Id)).ToList();
            cidr = Choose.Cidr(context.Prompter, unused, null, "--name", "Unused CIDRs");
        }

        Choose.Confirm(context.Prompter, args.Yes, $"Delete CIDR '{cidr.Name}' ({cidr.Network})?");
        await session.Admin.DeleteCidrAsync(cidr, cancellationToken).ConfigureAwait(false);
        await context.Out.WriteLineAsync($"CIDR '{cidr.Name}' deleted.").ConfigureAwait(false);
    }
}
