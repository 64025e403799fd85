using System.CommandLine;
using Innernet.Cli;
using Innernet.Core.Interfaces;
using Innernet.Server.Cli;

namespace Innernet.Server.Commands;

/// <summary>
/// <c>uninstall &lt;iface&gt;</c>: brings the interface down (best effort) and deletes the config and the database.
/// Refuses while the server runs (stop <c>innernet-server@&lt;iface&gt;</c> first).
/// </summary>
internal static class UninstallCommand
{
    public static Command Create(CliContext context, GlobalOptions global)
    {
        var iface = CommonOptions.Interface();
        var yes = CommonOptions.Yes();
        var command = new Command("uninstall", "Permanently delete a network: its interface, config and database") { iface, yes };
        command.SetAction(CliAction.Create(context, requiresRoot: true, (parse, ct) => RunAsync(
            context, global.Read(parse), parse.GetRequiredValue(iface), parse.GetValue(yes), ct)));
        return command;
    }

    public static async Task RunAsync(CliContext context, GlobalArgs global, string iface, bool yes, CancellationToken cancellationToken)
    {
        var paths = NetworkSession.OpenPaths(global, iface);
        await NetworkSession.RequireStoppedAsync(paths, cancellationToken).ConfigureAwait(false);

        if (!yes && !context.Prompter.Confirm("--yes", $"Permanently delete network '{iface}'?", defaultValue: false))
        {
            throw new CliUserException("cancelled");
        }

        try
        {
            using var wireGuard = context.OpenWireGuard(global.Network.Backend);
            new InterfaceManager(wireGuard).Down(iface);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            await context.Error.WriteLineAsync($"warning: could not bring '{iface}' down: {e.Message}").ConfigureAwait(false);
        }

        foreach (string file in (string[])[paths.ConfigFile, paths.Database, paths.DatabaseLog, paths.AdminSocket])
        {
            try
            {
                File.Delete(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                await context.Error.WriteLineAsync($"warning: could not delete {file}: {e.Message}").ConfigureAwait(false);
            }
        }

        await context.Out.WriteLineAsync($"Network '{iface}' uninstalled.").ConfigureAwait(false);
    }
}
