using System.CommandLine;
using Innernet.Cli;
using Innernet.Client.Cli;
using Innernet.Core.Api;
using Innernet.Core.Model;

namespace Innernet.Client.Commands;

/// <summary><c>add-association</c>, <c>delete-association</c>, <c>list-associations</c> (admin).</summary>
internal static class AssociationCommands
{
    public static Command Add(ClientContext context, GlobalOptions globals)
        => PairCommand(context, globals, "add-association", "Let two CIDRs see each other (admin)",
            async (api, cidrs, name1, name2, yes, ct) =>
            {
                var a = Choose.Cidr(context.Prompter, cidrs, name1, "cidr1", "First CIDR");
                var b = Choose.Cidr(context.Prompter, [.. cidrs.Where(c => c.Id != a.Id)], name2, "cidr2", "Second CIDR");
                bool bothNamed = name1 is not null && name2 is not null;
                Choose.ConfirmAssociation(context.Prompter, bothNamed, yes, add: true, $"'{a.Name}' <=> '{b.Name}'");
                await api.AddAssociationAsync(new AssociationContents(a.Id, b.Id), ct).ConfigureAwait(false);
                await context.Out.WriteLineAsync($"[*] association '{a.Name}' <=> '{b.Name}' added").ConfigureAwait(false);
            });

    public static Command Delete(ClientContext context, GlobalOptions globals)
        => PairCommand(context, globals, "delete-association", "Remove an association (admin)", async (api, cidrs, name1, name2, yes, ct) =>
        {
            var associations = await api.ListAssociationsAsync(ct).ConfigureAwait(false);
            var association = Choose.Association(context.Prompter, cidrs, associations, name1, name2);
            string pair = Choose.Describe(association, cidrs);
            Choose.ConfirmAssociation(context.Prompter, name1 is not null && name2 is not null, yes, add: false, pair);
            await api.DeleteAssociationAsync(association.Id, ct).ConfigureAwait(false);
            await context.Out.WriteLineAsync($"[*] association {pair} deleted").ConfigureAwait(false);
        });

    public static Command List(ClientContext context, GlobalOptions globals)
    {
        var iface = new Argument<string>("interface") { Description = "The network" };
        var json = ListingJson.Option();
        var command = new Command("list-associations", "List the associations (admin)") { iface, json };
        command.SetAction(CliAction.Create(context, async (parse, ct) =>
        {
            var args = globals.Read(parse);
            var network = ClientNetwork.Load(context, args, parse.GetRequiredValue(iface));
            using var api = network.OpenApi(context);
            var associations = await api.ListAssociationsAsync(ct).ConfigureAwait(false);
            string text = parse.GetValue(json) ? ListingJson.Associations(associations)
                : CidrListing.Associations(associations, await api.ListCidrsAsync(ct).ConfigureAwait(false));
            await context.Out.WriteAsync(text).ConfigureAwait(false);
        }));
        return command;
    }

    /// <summary>
    /// A verb on a pair of CIDRs, <c>&lt;interface&gt; [cidr1] [cidr2] [--yes]</c>: <paramref name="run"/> gets the API,
    /// the CIDRs, the two names given (null = ask) and <c>--yes</c>.
    /// </summary>
    private static Command PairCommand(
        ClientContext context,
        GlobalOptions globals,
        string verb,
        string description,
        Func<InnernetApiClient, IReadOnlyList<Cidr>, string?, string?, bool, CancellationToken, Task> run)
    {
        var iface = new Argument<string>("interface") { Description = "The network" };
        var first = new Argument<string?>("cidr1") { Description = "First CIDR name", Arity = ArgumentArity.ZeroOrOne };
        var second = new Argument<string?>("cidr2") { Description = "Second CIDR name", Arity = ArgumentArity.ZeroOrOne };
        var yes = new Option<bool>("--yes") { Description = "Do not ask for confirmation" };
        var command = new Command(verb, description) { iface, first, second, yes };
        command.SetAction(CliAction.Create(context, async (parse, ct) =>
        {
            var args = globals.Read(parse);
            var network = ClientNetwork.Load(context, args, parse.GetRequiredValue(iface));
            using var api = network.OpenApi(context);
            var cidrs = await api.ListCidrsAsync(ct).ConfigureAwait(false);
            await run(api, cidrs, parse.GetValue(first), parse.GetValue(second), parse.GetValue(yes), ct).ConfigureAwait(false);
        }));
        return command;
    }
}
