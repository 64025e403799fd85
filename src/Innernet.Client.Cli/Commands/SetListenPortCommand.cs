using System.CommandLine;
using System.Globalization;
using Innernet.Cli;
using Innernet.Client.Cli;
using Innernet.Core.Model;
using Innernet.Netlink.WireGuard;

namespace Innernet.Client.Commands;

/// <summary>
/// <c>set-listen-port &lt;iface&gt;</c>: change (or with <c>-u</c> unset = random) the WireGuard port, in the config and,
/// when the interface is up, on the live device. Unlike innernet, a down interface is not half-created.
/// </summary>
internal static class SetListenPortCommand
{

    public static Command Create(ClientContext context, GlobalOptions globals)
    {
        var iface = new Argument<string>("interface") { Description = "The network" };
        var port = new Option<ushort?>("--listen-port", "-l") { Description = "The UDP port" };
        var unset = new Option<bool>("--unset", "-u") { Description = "Use a random port" };
        var yes = new Option<bool>("--yes") { Description = "Do not ask for confirmation" };
        var command = new Command("set-listen-port", "Set the interface's WireGuard listen port") { iface, port, unset, yes };
        command.SetAction(CliAction.Create(context, async (parse, ct) =>
        {
            var args = globals.Read(parse);
            if (parse.GetValue(unset) && parse.GetResult(port) is not null)
            {
                throw new CliUserException("--listen-port cannot be combined with --unset", ExitCode.Usage);
            }

            var network = ClientNetwork.Load(context, args, parse.GetRequiredValue(iface));
            ushort? current = network.Config.Interface.ListenPort;
            ushort? wanted = parse.GetValue(unset)
                ? null
                : parse.GetValue(port) ?? ushort.Parse(
                    context.Prompter.Ask(
                        "--listen-port or --unset",
                        "Listen port",
                        (current ?? NetworkDefaults.ListenPort).ToString(CultureInfo.InvariantCulture),
                        v => ushort.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out _) ? null : "not a port number"),
                    CultureInfo.InvariantCulture);
            if (wanted == current)
            {
                await context.Out.WriteLineAsync("[*] No change necessary").ConfigureAwait(false);
                return;
            }

            Choose.Confirm(context.Prompter, parse.GetValue(yes),
                $"Set the listen port of {network.Name} to {(wanted is { } w ? w.ToString(CultureInfo.InvariantCulture) : "random")}?");
            using (var layer = context.OpenDeviceLayer(args.Network.Backend))
            {
                if (layer.WireGuard.GetDevice(network.Name) is not null)
                {
                    layer.WireGuard.ConfigureDevice(network.Name, new DeviceConfig { ListenPort = wanted ?? 0 });
                }
            }

            (network.Config with { Interface = network.Config.Interface with { ListenPort = wanted } }).Save(network.ConfigPath);
            await context.Out.WriteLineAsync($"[*] listen port of {network.Name} updated").ConfigureAwait(false);
        }));
        return command;
    }
}
