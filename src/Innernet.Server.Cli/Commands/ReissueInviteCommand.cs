using System.CommandLine;
using Innernet.Cli;
using Innernet.Core.Keys;
using Innernet.Server.Cli;

namespace Innernet.Server.Commands;

/// <summary>
/// <c>reissue-invite &lt;iface&gt;</c> (beyond innernet): a new temporary key, expiry and invitation file for a peer
/// that has not redeemed yet; the old invitation stops working.
/// </summary>
internal static class ReissueInviteCommand
{
    public static Command Create(CliContext context, GlobalOptions global)
    {
        var iface = CommonOptions.Interface();
        var name = CommonOptions.Name("Name of the unredeemed peer");
        var expires = new Option<string>("--invite-expires") { Description = "How long the new invitation is valid, e.g. 14d" };
        var save = new Option<string>("--save-config") { Description = "Where to write the new invitation (default <name>.toml)" };
        var yes = CommonOptions.Yes();
        var command = new Command("reissue-invite", "Issue a new invitation (key and expiry) for a peer that has not redeemed")
        {
            iface, name, expires, save, yes,
        };
        command.SetAction(CliAction.Create(context, requiresRoot: true, (parse, ct) => RunAsync(
            context,
            global.Read(parse),
            new ReissueInviteArgs(
                parse.GetRequiredValue(iface), parse.GetValue(name), parse.GetValue(expires), parse.GetValue(save), parse.GetValue(yes)),
            ct)));
        return command;
    }

    public static async Task RunAsync(CliContext context, GlobalArgs global, ReissueInviteArgs args, CancellationToken cancellationToken)
    {
        var prompter = context.Prompter;
        await using var session = await NetworkSession.OpenAsync(context, global, args.Interface, cancellationToken).ConfigureAwait(false);
        var cidrs = await session.Admin.ListCidrsAsync(cancellationToken).ConfigureAwait(false);
        var peers = await session.Admin.ListPeersAsync(cancellationToken).ConfigureAwait(false);
        var server = session.ServerInfo(peers);
        var unredeemed = Choose.NonServer(peers).Where(p => !p.IsRedeemed).ToList();
        var peer = Choose.Peer(prompter, unredeemed, args.Name, "--name", "Unredeemed peers");
        string expiryText = args.InviteExpires
            ?? prompter.Ask("--invite-expires", "Invite expires after", Values.DefaultInviteExpiry, Values.TimestringError);
        var expiry = Values.ParseTimestring(expiryText, "--invite-expires");
        string path = args.SaveConfig
            ?? prompter.Ask(
                "--save-config", "Save peer invitation file to", InvitationFile.DefaultPath(peer.Name), p => InvitationFile.PathError(p));
        InvitationFile.EnsureAbsent(path);
        Choose.Confirm(prompter, args.Yes, $"Issue a new invitation for '{peer.Name}' ({peer.Ip})? The old one stops working.");

        var temporary = KeyPair.Generate();
        var reissued = await session.Admin
            .ReissueInvitationAsync(peer, temporary.Public, context.Time.GetUtcNow() + expiry, cancellationToken)
            .ConfigureAwait(false);
        InvitationFile.Write(path, session.Interface, cidrs, reissued, temporary.Private, server);
        await context.Out.WriteLineAsync($"New invitation for '{peer.Name}' saved to {path} (valid for {expiryText}).")
            .ConfigureAwait(false);
    }
}
