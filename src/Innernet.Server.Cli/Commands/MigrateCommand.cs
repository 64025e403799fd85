using System.CommandLine;
using System.Globalization;
using Innernet.Cli;
using Innernet.Core.Config;
using Innernet.Core.Persistence;
using Innernet.Server.Cli;

namespace Innernet.Server.Commands;

/// <summary>
/// <c>migrate &lt;iface&gt; --to &lt;target&gt;</c>: copies the network's store (LiteDB file or PostgreSQL) into another one,
/// an empty PostgreSQL database or a new LiteDB file (a path starting with <c>/</c>), with the server stopped; reopens the copy
/// and compares it with the original (row counts and every row, id sequences, reserved IPs, audit log), then points the
/// config at it. The original is left as it was.
/// </summary>
internal static class MigrateCommand
{
    public static Command Create(CliContext context, GlobalOptions global)
    {
        var iface = CommonOptions.Interface();
        var to = new Option<string>("--to")
        {
            Description = "An empty PostgreSQL database (postgresql://... or Npgsql keywords, no password) or a new LiteDB file (/path)",
            Required = true,
        };
        var command = new Command("migrate", "Copy the network's store into PostgreSQL (or back into a file), checked") { iface, to };
        command.SetAction(CliAction.Create(context, requiresRoot: true, (parse, ct) => RunAsync(
            context, global.Read(parse), parse.GetRequiredValue(iface), parse.GetRequiredValue(to), ct)));
        return command;
    }

    public static async Task RunAsync(
        CliContext context, GlobalArgs global, string iface, string target, CancellationToken cancellationToken)
    {
        var paths = NetworkSession.OpenPaths(global, iface);
        await NetworkSession.RequireStoppedAsync(paths, cancellationToken).ConfigureAwait(false);
        var config = NetworkSession.LoadConfig(context, paths);
        bool toFile = target.StartsWith('/');
        string? connection = toFile ? null : target;
        if (toFile ? config.DatabaseConnection is null && target == paths.Database : target == config.DatabaseConnection)
        {
            throw new CliUserException($"the network '{iface}' is already stored there", ExitCode.Usage);
        }

        using var source = NetworkSession.OpenStore(context, paths, config);
        string from = source.Source;
        try
        {
            using (var copy = toFile ? source.CopyTo(target) : source.CopyTo(NetworkSession.Connect(target)))
            {
                target = copy.Source;
            }

            // The check reads the copy back from its database, not from the copy's memory.
            using var reopened = toFile ? ServerStore.Open(target) : ServerStore.Open(NetworkSession.Connect(connection!));
            if (source.CompareContents(reopened) is { Count: > 0 } differences)
            {
                throw new CliUserException(
                    $"the copy in {target} differs from {from}; the config still points at {from}:\n  " + string.Join("\n  ", differences));
            }

            await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Copied {from} to {target} and compared them: {reopened.ListCidrs().Count} CIDRs, {reopened.ListPeers().Count} peers, "
                + $"{reopened.ListAssociations().Count} associations, {reopened.ListReservedIps().Count} reserved IPs, "
                + $"{reopened.ListAudit(null).Count} audit entries.")).ConfigureAwait(false);
        }
        catch (StoreException e)
        {
            throw new CliUserException($"cannot copy {from} to the target: {e.Message}", ExitCode.Failure, e);
        }

        if (toFile && target != paths.Database)
        {
            await context.Out.WriteLineAsync(
                $"The config still points at {from}: the server only opens the file {paths.Database}; move the copy there to use it.")
                .ConfigureAwait(false);
            return;
        }

        (config with { DatabaseConnection = connection }).Save(paths.ConfigFile);
        await context.Out.WriteLineAsync(
            $"{paths.ConfigFile} now points at {target}; {from} is kept as it was (remove it once the server runs on the copy).")
            .ConfigureAwait(false);
    }
}
