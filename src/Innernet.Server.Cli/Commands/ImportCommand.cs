using System.CommandLine;
using System.Globalization;
using Innernet.Cli;
using Innernet.Core.Import;
using Innernet.Server.Cli;

namespace Innernet.Server.Commands;

/// <summary>
/// <c>import &lt;iface&gt;</c> (beyond innernet): take over an innernet 1.7 server — its config and SQLite database —
/// so that its clients keep working untouched (<see cref="InnernetImport"/>).
/// </summary>
internal static class ImportCommand
{
    public static Command Create(CliContext context, GlobalOptions global)
    {
        var iface = CommonOptions.Interface();
        var fromConfig = new Option<string>("--from-config-dir")
        {
            Description = "innernet's config directory (holds <name>.conf)",
            DefaultValueFactory = _ => GlobalArgs.DefaultConfigDirectory,
        };
        var fromData = new Option<string>("--from-data-dir")
        {
            Description = "innernet's data directory (holds <name>.db, its SQLite database)",
            DefaultValueFactory = _ => GlobalArgs.DefaultDataDirectory,
        };
        var fromName = new Option<string?>("--from-name")
        {
            Description = "The network's name in innernet, when it differs from <interface>",
        };
        var check = new Option<bool>("--check") { Description = "Read and check everything, report, write nothing" };
        var command = new Command("import", "Take over an innernet 1.7 server: its key, port, CIDRs, peers and associations, ids kept")
        {
            iface, fromConfig, fromData, fromName, check,
        };
        command.SetAction(CliAction.Create(context, requiresRoot: true, async (parse, _) =>
        {
            var args = global.Read(parse);
            string name = parse.GetRequiredValue(iface);
            if (Values.NetworkNameError(name) is { } nameError)
            {
                throw new CliUserException($"interface: {nameError}", ExitCode.Usage);
            }

            var target = args.PathsFor(name);
            var source = new ServerPaths(
                parse.GetRequiredValue(fromConfig), parse.GetRequiredValue(fromData), parse.GetValue(fromName) ?? name);
            bool checkOnly = parse.GetValue(check);
            var result = InnernetImport.Run(
                new ImportRequest(source.ConfigFile, source.Database, target.ConfigFile, target.Database, checkOnly));
            await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{source.Database}: {result.Cidrs} CIDRs, {result.Peers} peers ({result.DisabledPeers} disabled, "
                + $"{result.OpenInvitations} open invitations), {result.Associations} associations.")).ConfigureAwait(false);
            if (!result.Written)
            {
                await context.Out.WriteLineAsync($"Check passed: importing into '{target.Database}' would succeed. Nothing was written.")
                    .ConfigureAwait(false);
                return;
            }

            await context.Out.WriteLineAsync($"Imported into '{target.Database}' and '{target.ConfigFile}'.").ConfigureAwait(false);
            if (result.Backup is { } backup)
            {
                await context.Out.WriteLineAsync($"innernet's database is kept as '{backup}'.").ConfigureAwait(false);
            }

            await context.Out.WriteLineAsync(
                $"Stop innernet-server and start this one: innernet-server serve {name} (systemd: innernet-server@{name}).")
                .ConfigureAwait(false);
        }));
        return command;
    }
}
