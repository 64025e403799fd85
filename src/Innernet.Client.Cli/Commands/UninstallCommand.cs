using System.CommandLine;
using Innernet.Cli;
using Innernet.Client.Cli;
using Innernet.Core.Fetch;

namespace Innernet.Client.Commands;

/// <summary><c>uninstall &lt;iface&gt;</c>: bring the interface down and delete every file it keeps for it
/// (<see cref="ClientPaths.FilesOf"/>).</summary>
internal static class UninstallCommand
{
    public static Command Create(ClientContext context, GlobalOptions globals)
    {
        var iface = new Argument<string>("interface") { Description = "The network" };
        var yes = new Option<bool>("--yes") { Description = "Do not ask for confirmation" };
        var command = new Command("uninstall", "Leave a network: delete its config and peer cache") { iface, yes };
        command.SetAction(CliAction.Create(context, async (parse, _) =>
        {
            var args = globals.Read(parse);
            string name = parse.GetRequiredValue(iface);
            string config = ClientPaths.ConfigFile(args.ConfigDirectory, name);
            string data = ClientPaths.DataFile(args.DataDirectory, name);
            if (!File.Exists(config) && !File.Exists(data))
            {
                throw new CliUserException(
                    $"network '{name}' is not installed (neither '{config}' nor '{data}' exists)", ExitCode.NotFound);
            }

            if (!parse.GetValue(yes) && !context.Prompter.Confirm("--yes", $"Permanently delete network '{name}'?", defaultValue: false))
            {
                await context.Out.WriteLineAsync("[*] nothing deleted").ConfigureAwait(false);
                return;
            }

            try
            {
                using var layer = context.OpenDeviceLayer(args.Network.Backend);
                layer.BringDown(name);
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or CliUserException or UnauthorizedAccessException)
            {
                await context.Out.WriteLineAsync($"[!] could not bring interface {name} down: {e.Message}").ConfigureAwait(false);
            }

            foreach (string file in ClientPaths.FilesOf(args.ConfigDirectory, args.DataDirectory, name))
            {
                File.Delete(file);
            }

            await context.Out.WriteLineAsync($"[*] uninstalled network '{name}' (the hosts file section stays)").ConfigureAwait(false);
        }));
        return command;
    }
}
