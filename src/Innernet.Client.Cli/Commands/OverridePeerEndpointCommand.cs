using System.CommandLine;
using Innernet.Cli;
using Innernet.Client.Cli;
using Innernet.Core.Model;
using Innernet.Netlink.WireGuard;

namespace Innernet.Client.Commands;

/// <summary>
/// <c>override-peer-endpoint &lt;iface&gt;</c>: a purely local endpoint for one peer, kept in the client config's
/// <c>[peer-endpoint-overrides]</c>. Setting it applies it at once when the interface is up; unsetting takes
/// effect on the next fetch.
/// </summary>
internal static class OverridePeerEndpointCommand
{
    public static Command Create(ClientContext context, GlobalOptions globals)
    {
        var iface = new Argument<string>("interface") { Description = "The network" };
        var name = new Option<string>("--name") { Description = "The peer" };
        var endpoint = new Option<string>("--endpoint", "-e") { Description = "The endpoint to use for it, host:port" };
        var unset = new Option<bool>("--unset", "-u") { Description = "Remove the local override" };
        var yes = new Option<bool>("--yes") { Description = "Do not ask for confirmation" };
        var command = new Command("override-peer-endpoint", "Use a local endpoint for one peer") { iface, name, endpoint, unset, yes };
        command.SetAction(CliAction.Create(context, async (parse, ct) =>
        {
            var args = globals.Read(parse);
            if (parse.GetValue(unset) && parse.GetResult(endpoint) is not null)
            {
                throw new CliUserException("--endpoint cannot be combined with --unset", ExitCode.Usage);
            }

            var network = ClientNetwork.Load(context, args, parse.GetRequiredValue(iface));
            var store = network.OpenStore(args);
            var peer = Choose.Peer(context.Prompter, Choose.NonServer(store.Peers), parse.GetValue(name), "--name", "Peer");
            var overrides = new Dictionary<IPAddress, Endpoint>(network.Config.PeerEndpointOverrides);
            if (parse.GetValue(unset))
            {
                if (!overrides.Remove(peer.Ip))
                {
                    await context.Out.WriteLineAsync($"[*] peer '{peer.Name}' has no local endpoint override").ConfigureAwait(false);
                    return;
                }

                Choose.Confirm(context.Prompter, parse.GetValue(yes), $"Remove the local endpoint override of '{peer.Name}'?");
                (network.Config with { PeerEndpointOverrides = overrides }).Save(network.ConfigPath);
                await context.Out.WriteLineAsync($"[*] override removed; it takes effect on the next fetch").ConfigureAwait(false);
                return;
            }

            string text = parse.GetValue(endpoint)
                ?? context.Prompter.Ask(
                    "--endpoint or --unset", "Endpoint (host:port)", null, v => Endpoint.TryParse(v, out _, out var e) ? null : e);
            var chosen = Endpoint.TryParse(text, out var parsed, out string? error)
                ? parsed
                : throw new CliUserException($"--endpoint: {error}", ExitCode.Usage);
            Choose.Confirm(context.Prompter, parse.GetValue(yes), $"Use {chosen} for peer '{peer.Name}'?");
            overrides[peer.Ip] = chosen;
            (network.Config with { PeerEndpointOverrides = overrides }).Save(network.ConfigPath);

            using var layer = context.OpenDeviceLayer(args.Network.Backend);
            var device = layer.WireGuard.GetDevice(network.Name);
            if (device is not null && device.Peers.Any(p => p.PublicKey == peer.PublicKey) && context.Resolve(chosen) is { } resolved)
            {
                var update = new DeviceConfig();
                update.Peers.Add(new PeerConfig { PublicKey = peer.PublicKey, UpdateOnly = true, Endpoint = resolved });
                layer.WireGuard.ConfigureDevice(network.Name, update);
                await context.Out.WriteLineAsync($"[*] endpoint of '{peer.Name}' set to {resolved}").ConfigureAwait(false);
            }
            else
            {
                await context.Out.WriteLineAsync($"[*] override saved; it takes effect on the next fetch").ConfigureAwait(false);
            }
        }));
        return command;
    }
}
