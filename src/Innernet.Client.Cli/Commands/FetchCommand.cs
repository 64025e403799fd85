using System.CommandLine;
using Innernet.Client.Cli;

namespace Innernet.Client.Commands;

/// <summary><c>fetch &lt;iface&gt;</c>: like <c>up</c> but the interface must already be up.</summary>
internal static class FetchCommand
{
    public static Command Create(ClientContext context, GlobalOptions globals)
    {
        var iface = new Argument<string>("interface") { Description = "The network" };
        var hosts = new HostsOptionSet();
        var nat = new NatOptionSet();
        var command = new Command("fetch", "Fetch the peers of a network that is up") { iface };
        hosts.AddTo(command);
        nat.AddTo(command);
        command.SetAction(CliAction.Create(context, async (parse, ct) =>
        {
            var args = globals.Read(parse);
            using var layer = context.OpenDeviceLayer(args.Network.Backend);
            var request = Lifecycle.Request(args, parse.GetRequiredValue(iface), hosts.Read(parse), nat.Read(parse), bringUp: false);
            await Lifecycle.Fetcher(context, args, layer).FetchAsync(request, ct).ConfigureAwait(false);
        }));
        return command;
    }
}
