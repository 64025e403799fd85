using System.CommandLine;
using Innernet.Cli;
using Innernet.Client.Cli;
using Innernet.Core.Model;

namespace Innernet.Client.Commands;

/// <summary>
/// <c>rename-peer</c>, <c>disable-peer</c>, <c>enable-peer</c> (admin). Disable uses <c>DELETE /v1/admin/peers/{id}</c>
/// (innernet's soft delete), which touches nothing else; rename and enable <c>PUT</c> the listed peer with only the
/// intended change (against innernet's own server the listing's injected endpoint is then stored; this
/// project's server drops such echoes).
/// </summary>
internal static class PeerAdminCommands
{
    public static Command Rename(ClientContext context, GlobalOptions globals)
    {
        var iface = new Argument<string>("interface") { Description = "The network" };
        var name = new Option<string>("--name") { Description = "The peer to rename" };
        var newName = new Option<string>("--new-name") { Description = "Its new name" };
        var yes = new Option<bool>("--yes") { Description = "Do not ask for confirmation" };
        var command = new Command("rename-peer", "Rename a peer (admin)") { iface, name, newName, yes };
        command.SetAction(CliAction.Create(context, async (parse, ct) =>
        {
            var args = globals.Read(parse);
            var network = ClientNetwork.Load(context, args, parse.GetRequiredValue(iface));
            using var api = network.OpenApi(context);
            var peers = await api.ListPeersAsync(ct).ConfigureAwait(false);
            var peer = Choose.Peer(context.Prompter, Choose.NonServer(peers), parse.GetValue(name), "--name", "Peer to rename");
            string target = parse.GetValue(newName)
                ?? context.Prompter.Ask("--new-name", "New name", null, v => Hostname.IsValid(v) ? null : "not a valid hostname");
            Hostname.Validate(target, "--new-name");
            Choose.Confirm(context.Prompter, parse.GetValue(yes), $"Rename peer '{peer.Name}' to '{target}'?");
            await api.UpdatePeerAsync(peer.Id, peer.Contents with { Name = target }, ct).ConfigureAwait(false);
            await context.Out.WriteLineAsync($"[*] peer '{peer.Name}' renamed to '{target}'").ConfigureAwait(false);
        }));
        return command;
    }

    public static Command SetEnabled(ClientContext context, GlobalOptions globals, bool enable)
    {
        string verb = enable ? "enable" : "disable";
        var iface = new Argument<string>("interface") { Description = "The network" };
        var name = new Option<string>("--name") { Description = $"The peer to {verb}" };
        var yes = new Option<bool>("--yes") { Description = "Do not ask for confirmation (requires --name)" };
        var command = new Command($"{verb}-peer", $"{(enable ? "Enable" : "Disable")} a peer (admin)") { iface, name, yes };
        command.SetAction(CliAction.Create(context, async (parse, ct) =>
        {
            using var api = OpenApi(context, globals, parse, iface, name, yes);
            var peer = await PickAsync(context, api, parse, name, p => p.IsDisabled == enable, $"Peer to {verb}", ct).ConfigureAwait(false);
            Choose.Confirm(context.Prompter, parse.GetValue(yes), $"{(enable ? "Enable" : "Disable")} peer '{peer.Name}'?");
            if (enable)
            {
                await api.UpdatePeerAsync(peer.Id, peer.Contents with { IsDisabled = false }, ct).ConfigureAwait(false);
            }
            else
            {
                await api.DeletePeerAsync(peer.Id, ct).ConfigureAwait(false);
            }

            await context.Out.WriteLineAsync($"[*] peer '{peer.Name}' {verb}d").ConfigureAwait(false);
        }));
        return command;
    }

    /// <summary><c>delete-peer</c> (admin; beyond innernet): delete for good through <c>POST /v1/admin/peers/{id}/delete</c>.</summary>
    public static Command Delete(ClientContext context, GlobalOptions globals)
    {
        var iface = new Argument<string>("interface") { Description = "The network" };
        var name = new Option<string>("--name") { Description = "The peer to delete" };
        var releaseIp = new Option<bool>("--release-ip")
        {
            Description = "Free its IP at once (by default no new peer gets it for 30 days)",
        };
        var yes = new Option<bool>("--yes") { Description = "Do not ask for confirmation (requires --name)" };
        var command = new Command("delete-peer", "Delete a peer for good (admin; servers of this project only)")
        {
            iface, name, releaseIp, yes,
        };
        command.SetAction(CliAction.Create(context, async (parse, ct) =>
        {
            using var api = OpenApi(context, globals, parse, iface, name, yes);
            var peer = await PickAsync(context, api, parse, name, _ => true, "Peer to delete", ct).ConfigureAwait(false);
            Choose.Confirm(
                context.Prompter, parse.GetValue(yes), $"Delete peer '{peer.Name}' ({peer.Ip}) for good? This cannot be undone.");
            await api.DeletePeerForGoodAsync(peer.Id, parse.GetValue(releaseIp), ct).ConfigureAwait(false);
            await context.Out.WriteLineAsync($"[*] peer '{peer.Name}' deleted").ConfigureAwait(false);
        }));
        return command;
    }

    /// <summary>The network's API client, after checking that <c>--yes</c> comes with <c>--name</c>.</summary>
    private static Core.Api.InnernetApiClient OpenApi(
        ClientContext context, GlobalOptions globals, ParseResult parse, Argument<string> iface, Option<string> name, Option<bool> yes)
    {
        var args = globals.Read(parse);
        if (parse.GetValue(yes) && parse.GetResult(name) is null)
        {
            throw new CliUserException("--yes requires --name", ExitCode.Usage);
        }

        return ClientNetwork.Load(context, args, parse.GetRequiredValue(iface)).OpenApi(context);
    }

    /// <summary>
    /// The peer named by <c>--name</c> (or chosen at the prompt) among the non-server peers <paramref name="eligible"/> keeps.
    /// </summary>
    private static async Task<Peer> PickAsync(
        ClientContext context, Core.Api.InnernetApiClient api, ParseResult parse, Option<string> name, Func<Peer, bool> eligible,
        string prompt, CancellationToken ct)
    {
        var peers = await api.ListPeersAsync(ct).ConfigureAwait(false);
        return Choose.Peer(context.Prompter, Choose.NonServer(peers).Where(eligible).ToList(), parse.GetValue(name), "--name", prompt);
    }
}
