using System.CommandLine;
using Innernet.Cli;
using Innernet.Core.Model;
using Innernet.Server.Cli;

namespace Innernet.Server.Commands;

/// <summary><c>add-association</c> / <c>delete-association &lt;iface&gt; [cidr1] [cidr2]</c>.</summary>
internal static class AssociationCommands
{
    public static Command Create(CliContext context, GlobalOptions global, bool add)
    {
        var iface = CommonOptions.Interface();
        var first = new Argument<string?>("cidr1") { Description = "Name of the first CIDR", Arity = ArgumentArity.ZeroOrOne };
        var second = new Argument<string?>("cidr2") { Description = "Name of the second CIDR", Arity = ArgumentArity.ZeroOrOne };
        var yes = CommonOptions.Yes();
        var command = new Command(
            add ? "add-association" : "delete-association",
            add ? "Let the peers of two CIDRs see each other" : "Remove the association between two CIDRs")
        {
            iface, first, second, yes,
        };
        command.SetAction(CliAction.Create(context, requiresRoot: true, (parse, ct) => RunAsync(
            context, global.Read(parse), parse.GetRequiredValue(iface), parse.GetValue(first), parse.GetValue(second), parse.GetValue(yes),
            add, ct)));
        return command;
    }

    public static async Task RunAsync(
        CliContext context, GlobalArgs global, string iface, string? first, string? second, bool yes, bool add,
        CancellationToken cancellationToken)
    {
        await using var session = await NetworkSession.OpenAsync(context, global, iface, cancellationToken).ConfigureAwait(false);
        var cidrs = await session.Admin.ListCidrsAsync(cancellationToken).ConfigureAwait(false);
        bool bothNamed = first is not null && second is not null;
        if (add)
        {
            var a = Choose.Cidr(context.Prompter, cidrs, first, "cidr1", "First CIDR");
            var b = Choose.Cidr(context.Prompter, [.. cidrs.Where(c => c.Id != a.Id)], second, "cidr2", "Second CIDR");
            Choose.ConfirmAssociation(context.Prompter, bothNamed, yes, add: true, $"'{a.Name}' <=> '{b.Name}'");
            await session.Admin.AddAssociationAsync(new AssociationContents(a.Id, b.Id), cancellationToken).ConfigureAwait(false);
            await context.Out.WriteLineAsync($"Associated '{a.Name}' <=> '{b.Name}'.").ConfigureAwait(false);
            return;
        }

        var associations = await session.Admin.ListAssociationsAsync(cancellationToken).ConfigureAwait(false);
        var association = Choose.Association(context.Prompter, cidrs, associations, first, second);
        string pair = Choose.Describe(association, cidrs);
        Choose.ConfirmAssociation(context.Prompter, bothNamed, yes, add: false, pair);
        await session.Admin.DeleteAssociationAsync(association, cancellationToken).ConfigureAwait(false);
        await context.Out.WriteLineAsync($"Association {pair} deleted.").ConfigureAwait(false);
    }
}
