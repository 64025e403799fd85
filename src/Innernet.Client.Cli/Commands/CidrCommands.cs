using System.CommandLine;
using Innernet.Cli;
using Innernet.Client.Cli;
using Innernet.Core.Cidrs;
using Innernet.Core.Client;
using Innernet.Core.Model;

namespace Innernet.Client.Commands;

/// <summary><c>add-cidr</c>, <c>rename-cidr</c>, <c>delete-cidr</c> (admin, over the API) and <c>list-cidrs</c> (local cache).</summary>
internal static class CidrCommands
{
    public static Command Add(ClientContext context, GlobalOptions globals)
    {
        var iface = new Argument<string>("interface") { Description = "The network" };
        var name = new Option<string>("--name") { Description = "Name of the new CIDR" };
        var cidr = new Option<string>("--cidr") { Description = "The range, e.g. 10.42.1.0/24" };
        var parent = new Option<string>("--parent") { Description = "Name of the parent CIDR" };
        var yes = new Option<bool>("--yes") { Description = "Do not ask for confirmation" };
        var command = new Command("add-cidr", "Add a CIDR (admin)") { iface, name, cidr, parent, yes };
        command.SetAction(CliAction.Create(context, async (parse, ct) =>
        {
            var args = globals.Read(parse);
            var network = ClientNetwork.Load(context, args, parse.GetRequiredValue(iface));
            using var api = network.OpenApi(context);
            var cidrs = await api.ListCidrsAsync(ct).ConfigureAwait(false);
            var parentCidr = Choose.Cidr(
                context.Prompter, [.. cidrs.Where(c => c.Id != Cidr.InfraId)], parse.GetValue(parent), "--parent", "Parent CIDR");
            string cidrName = parse.GetValue(name)
                ?? context.Prompter.Ask("--name", "Name", null, v => Hostname.IsValid(v) ? null : "not a valid hostname");
            Hostname.Validate(cidrName, "--name");
            string rangeText = parse.GetValue(cidr)
                ?? context.Prompter.Ask(
                    "--cidr", "CIDR", null, v => IPNetwork.TryParse(v, out _) ? null : "not a CIDR (e.g. 10.42.1.0/24)");
            if (!IPNetwork.TryParse(rangeText, out var range))
            {
                throw new CliUserException($"--cidr: '{rangeText}' is not a CIDR (e.g. 10.42.1.0/24)", ExitCode.Usage);
            }

            var contents = new CidrContents(cidrName, range, parentCidr.Id);
            CidrRules.ValidateCreate(cidrs, await api.ListPeersAsync(ct).ConfigureAwait(false), contents);
            Choose.Confirm(context.Prompter, parse.GetValue(yes), $"Create CIDR '{cidrName}' ({range}) under '{parentCidr.Name}'?");
            var created = await api.AddCidrAsync(contents, ct).ConfigureAwait(false);
            await context.Out.WriteLineAsync($"[*] CIDR '{created.Name}' ({created.Network}) created").ConfigureAwait(false);
        }));
        return command;
    }

    public static Command Rename(ClientContext context, GlobalOptions globals)
    {
        var iface = new Argument<string>("interface") { Description = "The network" };
        var name = new Option<string>("--name") { Description = "The CIDR to rename" };
        var newName = new Option<string>("--new-name") { Description = "Its new name" };
        var yes = new Option<bool>("--yes") { Description = "Do not ask for confirmation" };
        var command = new Command("rename-cidr", "Rename a CIDR (admin)") { iface, name, newName, yes };
        command.SetAction(CliAction.Create(context, async (parse, ct) =>
        {
            var args = globals.Read(parse);
            var network = ClientNetwork.Load(context, args, parse.GetRequiredValue(iface));
            using var api = network.OpenApi(context);
            var cidrs = await api.ListCidrsAsync(ct).ConfigureAwait(false);
            var cidr = Choose.Cidr(
                context.Prompter, [.. cidrs.Where(c => c.Id != Cidr.InfraId)], parse.GetValue(name), "--name", "CIDR to rename");
            string target = parse.GetValue(newName)
                ?? context.Prompter.Ask("--new-name", "New name", null, v => Hostname.IsValid(v) ? null : "not a valid hostname");
            Choose.Confirm(context.Prompter, parse.GetValue(yes), $"Rename CIDR '{cidr.Name}' to '{target}'?");
            await api.UpdateCidrAsync(cidr.Id, cidr.Contents with { Name = target }, ct).ConfigureAwait(false);
            await context.Out.WriteLineAsync($"[*] CIDR '{cidr.Name}' renamed to '{target}'").ConfigureAwait(false);
        }));
        return command;
    }

    public static Command Delete(ClientContext context, GlobalOptions globals)
    {
        var iface = new Argument<string>("interface") { Description = "The network" };
        var name = new Option<string>("--name") { Description = "The CIDR to delete" };
        var yes = new Option<bool>("--yes") { Description = "Do not ask for confirmation" };
        var command = new Command("delete-cidr", "Delete a CIDR without peers or children (admin)") { iface, name, yes };
        command.SetAction(CliAction.Create(context, async (parse, ct) =>
        {
            var args = globals.Read(parse);
            var network = ClientNetwork.Load(context, args, parse.GetRequiredValue(iface));
            using var api = network.OpenApi(context);
            var cidrs = await api.ListCidrsAsync(ct).ConfigureAwait(false);
            var peers = await api.ListPeersAsync(ct).ConfigureAwait(false);
            var tree = new CidrTree(cidrs);
            var deletable = cidrs
                .Where(c => c.Id != Cidr.RootId && c.Id != Cidr.InfraId && tree.IsLeaf(c.Id) && peers.All(p => p.CidrId != c.Id))
                .ToList();
            var cidr = Choose.Cidr(context.Prompter, deletable, parse.GetValue(name), "--name", "CIDR to delete");
            Choose.Confirm(context.Prompter, parse.GetValue(yes), $"Delete CIDR '{cidr.Name}' ({cidr.Network})?");
            await api.DeleteCidrAsync(cidr.Id, ct).ConfigureAwait(false);
            await context.Out.WriteLineAsync($"[*] CIDR '{cidr.Name}' deleted").ConfigureAwait(false);
        }));
        return command;
    }

    public static Command List(ClientContext context, GlobalOptions globals)
    {
        var iface = new Argument<string>("interface") { Description = "The network" };
        var tree = new Option<bool>("--tree", "-t") { Description = "Print the CIDRs as a tree" };
        var json = ListingJson.Option();
        var command = new Command("list-cidrs", "List the network's CIDRs (from the local peer cache; no server needed)")
        {
            iface, tree, json,
        };
        command.SetAction(CliAction.Create(context, async (parse, _) =>
        {
            var args = globals.Read(parse);
            string name = parse.GetRequiredValue(iface);
            string path = Core.Fetch.ClientPaths.DataFile(args.DataDirectory, name);
            if (!File.Exists(path))
            {
                throw new CliUserException($"no peer cache for '{name}' ('{path}'); run 'innernet up {name}' first", ExitCode.NotFound);
            }

            var cidrs = DataStore.OpenToList(path).Cidrs;
            await context.Out.WriteAsync(parse.GetValue(json) ? ListingJson.Cidrs(cidrs) : CidrListing.Text(cidrs, parse.GetValue(tree)))
                .ConfigureAwait(false);
        }));
        return command;
    }
}
