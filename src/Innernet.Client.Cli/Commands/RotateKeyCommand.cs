using System.CommandLine;
using System.Globalization;
using Innernet.Cli;
using Innernet.Client.Cli;
using Innernet.Core.Fetch;

namespace Innernet.Client.Commands;

/// <summary>
/// <c>rotate-key &lt;iface&gt;</c> (beyond innernet; servers of this project only): a new key pair for this peer, its
/// public key signed by the current key and sent over the tunnel (<see cref="KeyRotator"/>).
/// </summary>
internal static class RotateKeyCommand
{
    public static Command Create(ClientContext context, GlobalOptions globals)
    {
        var iface = new Argument<string>("interface") { Description = "The network" };
        var yes = new Option<bool>("--yes") { Description = "Do not ask for confirmation" };
        var command = new Command("rotate-key", "Replace this peer's WireGuard key pair (servers of this project only)") { iface, yes };
        command.SetAction(CliAction.Create(context, async (parse, ct) =>
        {
            var args = globals.Read(parse);
            var network = ClientNetwork.Load(context, args, parse.GetRequiredValue(iface));
            Choose.Confirm(context.Prompter, parse.GetValue(yes), $"Replace the key pair of this peer in {network.Name}?");
            using var layer = context.OpenDeviceLayer(args.Network.Backend);
            var rotator = new KeyRotator(layer, new ConsoleLog(context.Out, args.Verbosity), context.ApiFactory, context.Sleep);
            var (publicKey, generation) = await rotator.RotateAsync(args.ConfigDirectory, network.Name, ct).ConfigureAwait(false);
            await context.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"[*] key of {network.Name} rotated (generation {generation}); new public key {publicKey}")).ConfigureAwait(false);
            await context.Out.WriteLineAsync(
                "[*] the server switches to it within seconds; other peers follow on their next fetch").ConfigureAwait(false);
        }));
        return command;
    }
}
