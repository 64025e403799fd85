using System.CommandLine;
using Innernet.Cli;
using Innernet.Server.Cli;

namespace Innernet.Server.Commands;

/// <summary><c>disable-peer</c> / <c>enable-peer &lt;iface&gt;</c>: flips <c>is_disabled</c>; WireGuard follows at once.</summary>
internal static class EnablePeerCommand
{
    public static Command Create(CliContext context, GlobalOptions global, bool enable)
    {
        var iface = CommonOptions.Interface();
        var name = CommonOptions.Name(enable ? "Name of the peer to enable" : "Name of the peer to disable");
        var yes = CommonOptions.Yes();
        var command = new Command(enable ? "enable-peer" : "disable-peer", enable ? "Enable a disabled peer" : "Disable a peer")
        {
            iface, name, yes,
        };
        command.Validators.Add(result =>
        {
            if (result.GetResult(yes) is not null && result.GetResult(name) is null)
            {
                result.AddError("--yes requires --name");
            }
        });
        command.SetAction(CliAction.Create(context, requiresRoot: true, (parse, ct) => RunAsync(
            context, global.Read(parse), new PeerNameArgs(parse.GetRequiredValue(iface), parse.GetValue(name), null, parse.GetValue(yes)),
            enable, ct)));
        return command;
    }

    public static async Task RunAsync(
        CliContext context, GlobalArgs global, PeerNameArgs args, bool enable, CancellationToken cancellationToken)
    {
        await using var session = await NetworkSession.OpenAsync(context, global, args.Interface, cancellationToken).ConfigureAwait(false);
        var peers = Choose.NonServer(await session.Admin.ListPeersAsync(cancellationToken).ConfigureAwait(false));
        var candidates = peers.Where(p => p.IsDisabled == enable).ToList();
        var peer = Choose.Peer(context.Prompter, candidates, args.Name, "--name", enable ? "Disabled peers" : "Enabled peers");
        string verb = enable ? "enable" : "disable";
        Choose.Confirm(context.Prompter, args.Yes, $"{(enable ? "Enable" : "Disable")} peer '{peer.Name}' ({peer.Ip})?");
        await session.Admin.SetDisabledAsync(peer, !enable, cancellationToken).ConfigureAwait(false);
        await context.Out.WriteLineAsync($"Peer '{peer.Name}' {verb}d.").ConfigureAwait(false);
    }
}
