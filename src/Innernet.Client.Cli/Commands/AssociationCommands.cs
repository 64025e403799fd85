using System.CommandLine;
using System.Text;
using System.Text.Json;
using Innernet.Cli;
using Innernet.Client.Cli;
using Innernet.Core.Api;
using Innernet.Core.Model;

namespace Innernet.Client.Commands;

/// <summary><c>add-association</c>, <c>delete-association</c>, <c>list-associations</c> (admin).</summary>
internal static class AssociationCommands
{
    public static Command Add(ClientContext context, GlobalOptions globals)
        => PairCommand(context, globals, "add-association", "Let two CIDRs see each other (admin)", async (api, cidrs, name1, name2, yes, ct) =>
        {
            var a = Choose.Cidr(context.Prompter, cidrs, name1, "cidr1", "First CIDR");
            var b = Choose.Cidr(context.Prompter, [.. cidrs.Where(c => c.Id != a.Id)], name2, "cidr2", "Second CIDR");
            if (name1 is null || name2 is null)
            {
                Choose.Confirm(context.Prompter, yes, $"Add association '{a.Name}' <=> '{b.Name}'?");
            }

            await api.AddAssociationAsync(new AssociationContents(a.Id, b.Id), ct).ConfigureAwait(false);
            await context.Out.WriteLineAsync($"[*] association '{a.Name}' <=> '{b.Name}' added").ConfigureAwait(false);
        });

    public static Command Delete(ClientContext context, GlobalOptions globals)
        => PairCommand(context, globals, "delete-association", "Remove an association (admin)", async (api, cidrs, name1, name2, yes, ct) =>
        {
            var associations = await api.ListAssociationsAsync(ct).ConfigureAwait(false);
            var names = cidrs.ToDictionary(c => c.Id, c => c.Name);
            string Describe(Association x) => $"{names.GetValueOrDefault(x.CidrId1, "?")} <=> {names.GetValueOrDefault(x.CidrId2, "?")}";

            Association association;
            if (name1 is not null && name2 is not null)
            {
                var a = Choose.Cidr(context.Prompter, cidrs, name1, "cidr1", "First CIDR");
                var b = Choose.Cidr(context.Prompter, cidrs, name2, "cidr2", "Second CIDR");
                association = associations.FirstOrDefault(x => x.Links(a.Id, b.Id))
                    ?? throw new CliUserException($"there is no association between '{a.Name}' and '{b.Name}'", ExitCode.NotFound);
            }
            else
            {
                if (associations.Count == 0)
                {
                    throw new CliUserException("there are no associations", ExitCode.NotFound);
                }

                association = context.Prompter.Select("cidr1 and cidr2", "Association to delete", associations, Describe);
            }

            Choose.Confirm(context.Prompter, yes, $"Delete association {Describe(association)}?");
            await api.DeleteAssociationAsync(association.Id, ct).ConfigureAwait(false);
            await context.Out.WriteLineAsync($"[*] association {Describe(association)} deleted").ConfigureAwait(false);
        });

    public static Command List(ClientContext context, GlobalOptions globals)
    {
        var iface = new Argument<string>("interface") { Description = "The network" };
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var command = new Command("list-associations", "List the associations (admin)") { iface, json };
        command.SetAction(CliAction.Create(context, async (parse, ct) =>
        {
            var args = globals.Read(parse);
            var network = ClientNetwork.Load(context, args, parse.GetRequiredValue(iface));
            using var api = network.OpenApi(context);
            var cidrs = await api.ListCidrsAsync(ct).ConfigureAwait(false);
            var associations = await api.ListAssociationsAsync(ct).ConfigureAwait(false);
            var names = cidrs.ToDictionary(c => c.Id, c => c.Name);
            var text = new StringBuilder();
            if (parse.GetValue(json))
            {
                using var buffer = new MemoryStream();
                using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
                {
                    writer.WriteStartArray();
                    foreach (var x in associations)
                    {
                        writer.WriteStartObject();
                        writer.WriteNumber("id", x.Id);
                        writer.WriteNumber("cidr_id_1", x.CidrId1);
                        writer.WriteString("cidr_1", names.GetValueOrDefault(x.CidrId1));
                        writer.WriteNumber("cidr_id_2", x.CidrId2);
                        writer.WriteString("cidr_2", names.GetValueOrDefault(x.CidrId2));
                        writer.WriteEndObject();
                    }

                    writer.WriteEndArray();
                }

                text.Append(Encoding.UTF8.GetString(buffer.ToArray())).Append('\n');
            }
            else
            {
                foreach (var x in associations)
                {
                    text.Append(x.Id).Append(": ").Append(names.GetValueOrDefault(x.CidrId1, "?")).Append(" <=> ")
                        .Append(names.GetValueOrDefault(x.CidrId2, "?")).Append('\n');
                }
            }

            await context.Out.WriteAsync(text.ToString()).ConfigureAwait(false);
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
