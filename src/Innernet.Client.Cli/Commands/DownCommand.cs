using System.CommandLine;
using Innernet.Cli;
using Innernet.Client.Cli;

namespace Innernet.Client.Commands;

/// <summary><c>down &lt;iface&gt;</c>: delete the WireGuard interface (the hosts file and config stay).</summary>
internal static class DownCommand
{
    public static Command Create(ClientContext context, GlobalOptions globals)
    {
        var iface = new Argument<string>("interface") { Description = "The network" };
        var command = new Command("down", "Bring a network's interface down") { iface };
        command.SetAction(CliAction.Create(context, async (parse, _) =>
        {
            var args = globals.Read(parse);
            string name = parse.GetRequiredValue(iface);
            using var layer = context.OpenDeviceLayer(args.Network.Backend);
            if (!layer.BringDown(name))
            {
                throw new CliUserException($"interface {name} is not up", ExitCode.NotFound);
            }

            await context.Out.WriteLineAsync($"[*] interface {name} is down").ConfigureAwait(false);
        }));
        return command;
    }
}
