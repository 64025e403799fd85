using System.CommandLine;
using Innernet.Cli;
using Innernet.Core.Model;
using Innernet.Core.Persistence;
using Innernet.Server.Cli;

namespace Innernet.Server.Commands;

/// <summary><c>add-cidr &lt;iface&gt;</c>: adds a CIDR under a parent (prompt order: parent, name, CIDR, confirm).</summary>
internal static class AddCidrCommand
{
    public static Command Create(CliContext context, GlobalOptions global)
    {
        var iface = CommonOptions.Interface();
        var name = CommonOptions.Name("Name of the new CIDR");
        var cidr = new Option<string>("--cidr") { Description = "The CIDR, e.g. 10.42.1.0/24" };
        var parent = new Option<string>("--parent") { Description = "Name of the parent CIDR" };
        var yes = CommonOptions.Yes();
        var command = new Command("add-cidr", "Add a CIDR to a network") { iface, name, cidr, parent, yes };
        command.SetAction(CliAction.Create(context, requiresRoot: true, (parse, ct) => RunAsync(
            context,
            global.Read(parse),
            new AddCidrArgs(
                parse.GetRequiredValue(iface), parse.GetValue(name), parse.GetValue(cidr), parse.GetValue(parent), parse.GetValue(yes)),
            ct)));
        return command;
    }

    public static async Task RunAsync(CliContext context, GlobalArgs global, AddCidrArgs args, CancellationToken cancellationToken)
    {
        await using var session = await NetworkSession.OpenAsync(context, global, args.Interface, cancellationToken).ConfigureAwait(false);
        var cidrs = await session.Admin.ListCidrsAsync(cancellationToken).ConfigureAwait(false);
        var parents = cidrs.Where(c => c.Id != Cidr.InfraId && c.Name != ServerStore.ServerName).ToList();
        var parent = Choose.Cidr(context.Prompter, parents, args.Parent, "--parent", "Parent CIDR");
        string name = args.Name ?? context.Prompter.Ask("--name", "Name", null, Values.HostnameError);
        var network = Values.ParseCidr(args.Cidr ?? context.Prompter.Ask("--cidr", "CIDR", null, Values.CidrError), "--cidr");
        Choose.Confirm(context.Prompter, args.Yes, $"Create CIDR '{name}' ({network}) under '{parent.Name}'?");
        var created = await session.Admin.AddCidrAsync(new CidrContents(name, network, parent.Id), cancellationToken).ConfigureAwait(false);
        await context.Out.WriteLineAsync($"CIDR '{created.Name}' ({created.Network}) added under '{parent.Name}'.").ConfigureAwait(false);
    }
}
