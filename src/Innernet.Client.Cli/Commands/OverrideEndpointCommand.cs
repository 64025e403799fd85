using System.CommandLine;
using Innernet.Cli;
using Innernet.Client.Cli;
using Innernet.Core.Model;

namespace Innernet.Client.Commands;

/// <summary>
/// <c>override-endpoint &lt;iface&gt;</c>: tell the server which endpoint other peers should use for this one
/// (<c>PUT /v1/user/endpoint</c>). The unspecified-IP form <c>0.0.0.0:port</c> ("the address you see, this port") is
/// only used when <c>GET /v1/user/capabilities</c> says the server supports it. No public-IP detection.
/// </summary>
internal static class OverrideEndpointCommand
{
    public static Command Create(ClientContext context, GlobalOptions globals)
    {
        var iface = new Argument<string>("interface") { Description = "The network" };
        var endpoint = new Option<string>("--endpoint", "-e")
        {
            Description = "The endpoint, host:port (0.0.0.0:port = observed IP, this port)",
        };
        var unset = new Option<bool>("--unset", "-u") { Description = "Remove the override" };
        var yes = new Option<bool>("--yes") { Description = "Do not ask for confirmation" };
        var command = new Command("override-endpoint", "Set or unset the endpoint the server advertises for this peer")
        {
            iface, endpoint, unset, yes,
        };
        command.SetAction(CliAction.Create(context, async (parse, ct) =>
        {
            var args = globals.Read(parse);
            if (parse.GetValue(unset) && parse.GetResult(endpoint) is not null)
            {
                throw new CliUserException("--endpoint cannot be combined with --unset", ExitCode.Usage);
            }

            var network = ClientNetwork.Load(context, args, parse.GetRequiredValue(iface));
            using var api = network.OpenApi(context);
            if (parse.GetValue(unset))
            {
                Choose.Confirm(context.Prompter, parse.GetValue(yes), "Unset the endpoint override?");
                await api.SetEndpointAsync(EndpointContents.Unset, ct).ConfigureAwait(false);
                await context.Out.WriteLineAsync("[*] endpoint override removed").ConfigureAwait(false);
                return;
            }

            if (network.Config.Interface.ListenPort is not { } listenPort)
            {
                throw new CliUserException(
                    $"network '{network.Name}' has no fixed listen port; set one first with 'innernet set-listen-port {network.Name}'");
            }

            var capabilities = await api.GetCapabilitiesAsync(ct).ConfigureAwait(false);
            Endpoint chosen;
            if (parse.GetValue(endpoint) is { } text)
            {
                chosen = Endpoint.TryParse(text, out var parsed, out string? error)
                    ? parsed
                    : throw new CliUserException($"--endpoint: {error}", ExitCode.Usage);
            }
            else
            {
                var unspecified = Endpoint.FromAddress(IPAddress.Any, listenPort);
                string manual = "enter an endpoint";
                var options = capabilities.UnspecifiedIpInOverrideEndpoint
                    ? new List<string> { $"{unspecified} (the IP the server observes, port {listenPort})", manual }
                    : [manual];
                string pick = options.Count == 1 ? manual : context.Prompter.Select("--endpoint", "Endpoint override", options, o => o);
                chosen = pick == manual
                    ? Endpoint.Parse(context.Prompter.Ask(
                        "--endpoint", "Endpoint (host:port)", null, v => Endpoint.TryParse(v, out _, out var e) ? null : e))
                    : unspecified;
            }

            if (chosen.IsUnspecified && !capabilities.UnspecifiedIpInOverrideEndpoint)
            {
                throw new CliUserException("this server does not support an unspecified IP (0.0.0.0 or [::]) in endpoint overrides");
            }

            Choose.Confirm(context.Prompter, parse.GetValue(yes), $"Advertise {chosen} as this peer's endpoint?");
            await api.SetEndpointAsync(EndpointContents.Set(chosen), ct).ConfigureAwait(false);
            await context.Out.WriteLineAsync($"[*] endpoint override set to {chosen}").ConfigureAwait(false);
        }));
        return command;
    }
}
