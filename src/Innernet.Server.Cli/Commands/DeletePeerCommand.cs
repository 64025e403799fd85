using System.CommandLine;
using System.Globalization;
using Innernet.Cli;
using Innernet.Core.Model;
using Innernet.Server.Cli;

namespace Innernet.Server.Commands;

/// <summary>
/// <c>delete-peer &lt;iface&gt;</c> (beyond innernet, which can only disable): removes the peer everywhere, frees its
/// name, keeps its IP reserved from new peers for <see cref="ReservedIp.DefaultPeriod"/> unless <c>--release-ip</c>.
/// </summary>
internal static class DeletePeerCommand
{
    public static Command Create(CliContext context, GlobalOptions global)
    {
        var iface = CommonOptions.Interface();
        var name = CommonOptions.Name("Name of the peer to delete");
        var releaseIp = new Option<bool>("--release-ip")
        {
            Description = "Free the peer's IP at once (by default no new peer gets it for 30 days)",
        };
        var yes = CommonOptions.Yes();
        var command = new Command("delete-peer", "Delete a peer for good: it leaves WireGuard and every peer's view; its name is free")
        {
            iface, name, releaseIp, yes,
        };
        command.Validators.Add(result =>
        {
            if (result.GetResult(yes) is not null && result.GetResult(name) is null)
            {
                result.AddError("--yes requires --name");
            }
        });
        command.SetAction(CliAction.Create(context, requiresRoot: true, async (parse, ct) =>
        {
            var args = new PeerNameArgs(parse.GetRequiredValue(iface), parse.GetValue(name), null, parse.GetValue(yes));
            bool release = parse.GetValue(releaseIp);
            await using var session = await NetworkSession.OpenAsync(context, global.Read(parse), args.Interface, ct).ConfigureAwait(false);
            var peers = Choose.NonServer(await session.Admin.ListPeersAsync(ct).ConfigureAwait(false));
            var peer = Choose.Peer(context.Prompter, peers, args.Name, "--name", "Peers");
            Choose.Confirm(context.Prompter, args.Yes, $"Delete peer '{peer.Name}' ({peer.Ip}) for good? This cannot be undone.");
            await session.Admin.DeletePeerAsync(peer, release, ct).ConfigureAwait(false);
            string ip = release
                ? $"its IP {peer.Ip} is free"
                : string.Create(
                    CultureInfo.InvariantCulture, $"its IP {peer.Ip} stays reserved for {ReservedIp.DefaultPeriod.TotalDays:0} days");
            await context.Out.WriteLineAsync($"Peer '{peer.Name}' deleted; {ip}.").ConfigureAwait(false);
        }));
        return command;
    }
}
