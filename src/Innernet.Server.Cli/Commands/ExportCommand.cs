using System.CommandLine;
using System.Globalization;
using Innernet.Cli;
using Innernet.Core.Import;
using Innernet.Server.Cli;

namespace Innernet.Server.Commands;

/// <summary>
/// <c>export &lt;iface&gt; --innernet &lt;file&gt;</c> (beyond innernet): the network as an innernet 1.7 database
/// (<see cref="InnernetExport"/>). Reads the store directly, so the server must be stopped.
/// </summary>
internal static class ExportCommand
{
    public static Command Create(CliContext context, GlobalOptions global)
    {
        var iface = CommonOptions.Interface();
        var innernet = new Option<string>("--innernet")
        {
            Description = "Write an innernet 1.7 server database (SQLite) to this new file",
            Required = true,
        };
        var command = new Command("export", "Write the network as an innernet 1.7 database (the config file is innernet's format already)")
        {
            iface, innernet,
        };
        command.SetAction(CliAction.Create(context, requiresRoot: true, async (parse, ct) =>
        {
            var args = global.Read(parse);
            var paths = NetworkSession.OpenPaths(args, parse.GetRequiredValue(iface));
            await NetworkSession.RequireStoppedAsync(paths, ct).ConfigureAwait(false);

            string target = parse.GetRequiredValue(innernet);
            InnernetNetwork network;
            using (var store = NetworkSession.OpenStore(context, paths, NetworkSession.LoadConfig(context, paths)))
            {
                network = InnernetExport.Run(store, target);
            }

            await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Wrote {target}: {network.Cidrs.Count} CIDRs, {network.Peers.Count} peers, {network.Associations.Count} associations. "
                + $"innernet-server 1.7 serves it as <data-dir>/{paths.Interface}.db with {paths.ConfigFile}.")).ConfigureAwait(false);
        }));
        return command;
    }
}
