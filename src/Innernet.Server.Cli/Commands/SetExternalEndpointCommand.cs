using System.CommandLine;
using Innernet.Cli;
using Innernet.Core.Model;
using Innernet.Server.Cli;

using Endpoint = Innernet.Core.Model.Endpoint;

namespace Innernet.Server.Commands;

/// <summary><c>set-external-endpoint &lt;iface&gt;</c> (beyond innernet): the endpoint later invitations carry.</summary>
internal static class SetExternalEndpointCommand
{
    public static Command Create(CliContext context, GlobalOptions global)
    {
        var iface = CommonOptions.Interface();
        var endpoint = new Option<string>("--endpoint", "-e") { Description = "The server's public endpoint, ip:port or host:port" };
        var yes = CommonOptions.Yes();
        var command = new Command("set-external-endpoint", "Change the server's external endpoint (used by new invitations)")
        {
            iface, endpoint, yes,
        };
        command.SetAction(CliAction.Create(context, requiresRoot: true, (parse, ct) => RunAsync(
            context, global.Read(parse), parse.GetRequiredValue(iface), parse.GetValue(endpoint), parse.GetValue(yes), ct)));
        return command;
    }

    public static async Task RunAsync(
        CliContext context, GlobalArgs global, string iface, string? endpointText, bool yes, CancellationToken cancellationToken)
    {
        await using var session = await NetworkSession.OpenAsync(context, global, iface, cancellationToken).ConfigureAwait(false);
        var peers = await session.Admin.ListPeersAsync(cancellationToken).ConfigureAwait(false);
        var current = peers.FirstOrDefault(p => p.Id == Peer.ServerId)?.Endpoint;
        var endpoint = Values.ParseEndpoint(
            endpointText ?? context.Prompter.Ask("--endpoint", "External endpoint", current?.ToString(), Values.EndpointError),
            "--endpoint");
        if (endpoint == current)
        {
            await context.Out.WriteLineAsync($"The external endpoint is already {endpoint}; no change necessary.").ConfigureAwait(false);
            return;
        }

        Choose.Confirm(context.Prompter, yes, $"Change the external endpoint from {current?.ToString() ?? "(none)"} to {endpoint}?");
        await session.Admin.SetServerEndpointAsync(endpoint, cancellationToken).ConfigureAwait(false);
        await context.Out.WriteLineAsync($"External endpoint set to {endpoint}; invitations created from now on use it.")
            .ConfigureAwait(false);
    }
}
