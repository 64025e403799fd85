using System.Net;
using System.CommandLine;
using Innernet.Cli;
using Innernet.Core.Cidrs;
using Innernet.Core.Keys;
using Innernet.Core.Model;
using Innernet.Core.Peers;
using Innernet.Server.Cli;

namespace Innernet.Server.Commands;

/// <summary>
/// <c>add-peer &lt;iface&gt;</c>: creates a peer with a temporary key and writes its invitation. Prompt order as
/// innernet: leaf CIDR, IP, name, admin, expiry, file, confirm. The invitation path is checked before the row
/// is created.
/// </summary>
internal static class AddPeerCommand
{
    public static Command Create(CliContext context, GlobalOptions global)
    {
        var iface = CommonOptions.Interface();
        var name = CommonOptions.Name("Name of the new peer");
        var ip = new Option<string>("--ip") { Description = "The peer's IP (default: the CIDR's first free IP)" };
        var autoIp = new Option<bool>("--auto-ip") { Description = "Use the CIDR's first free IP" };
        var cidr = new Option<string>("--cidr") { Description = "Name of the (leaf) CIDR the peer joins" };
        var admin = new Option<bool?>("--admin") { Description = "Whether the peer is an admin (true or false)" };
        var expires = new Option<string>("--invite-expires") { Description = "How long the invitation is valid, e.g. 14d, 2h, 30m" };
        var save = new Option<string>("--save-config") { Description = "Where to write the invitation (default <name>.toml)" };
        var yes = CommonOptions.Yes();
        var command = new Command("add-peer", "Add a peer and write its invitation")
        {
            iface, name, ip, autoIp, cidr, admin, expires, save, yes,
        };
        command.Validators.Add(result =>
        {
            if (result.GetResult(ip) is not null && result.GetResult(autoIp) is not null)
            {
                result.AddError("--ip and --auto-ip cannot be used together");
            }
        });
        command.SetAction(CliAction.Create(context, requiresRoot: true, (parse, ct) => RunAsync(
            context,
            global.Read(parse),
            new AddPeerArgs(
                parse.GetRequiredValue(iface),
                parse.GetValue(name),
                parse.GetValue(ip),
                parse.GetValue(autoIp),
                parse.GetValue(cidr),
                parse.GetValue(admin),
                parse.GetValue(expires),
                parse.GetValue(save),
                parse.GetValue(yes)),
            ct)));
        return command;
    }

    public static async Task RunAsync(CliContext context, GlobalArgs global, AddPeerArgs args, CancellationToken cancellationToken)
    {
        var prompter = context.Prompter;
        await using var session = await NetworkSession.OpenAsync(context, global, args.Interface, cancellationToken).ConfigureAwait(false);
        var cidrs = await session.Admin.ListCidrsAsync(cancellationToken).ConfigureAwait(false);
        var peers = await session.Admin.ListPeersAsync(cancellationToken).ConfigureAwait(false);
        var server = session.ServerInfo(peers);
        var tree = new CidrTree(cidrs);

        var leaves = cidrs.Where(c => c.Id != Cidr.InfraId && tree.IsLeaf(c.Id)).ToList();
        var cidr = Choose.Cidr(prompter, leaves, args.Cidr, "--cidr", "Eligible (leaf) CIDRs");

        IPAddress ip;
        if (args.Ip is not null)
        {
            ip = IPAddress.TryParse(args.Ip, out var parsed) && Values.IpError(args.Ip) is null
                ? parsed
                : throw new CliUserException($"--ip: {Values.IpError(args.Ip)}", ExitCode.Usage);
        }
        else
        {
            var reserved = await session.Admin.ListReservedIpsAsync(cancellationToken).ConfigureAwait(false);
            var free = IpAllocator.FirstFree(cidr, peers.Select(p => p.Ip).Concat(reserved.Select(r => r.Ip)));
            ip = args.AutoIp ? free : IPAddress.Parse(prompter.Ask("--ip", "IP", free.ToString(), Values.IpError));
        }

        string name = args.Name ?? prompter.Ask("--name", "Name", null, Values.HostnameError);
        bool isAdmin = args.Admin ?? prompter.Confirm("--admin", $"Make {name} an admin?", defaultValue: false);
        string expiryText = args.InviteExpires
            ?? prompter.Ask("--invite-expires", "Invite expires after", Values.DefaultInviteExpiry, Values.TimestringError);
        var expiry = Values.ParseTimestring(expiryText, "--invite-expires");
        string path = args.SaveConfig ?? prompter.Ask(
            "--save-config", "Save peer invitation file to", InvitationFile.DefaultPath(name), p => InvitationFile.PathError(p));
        InvitationFile.EnsureAbsent(path);
        Choose.Confirm(prompter, args.Yes, $"Create peer '{name}' ({ip}) in '{cidr.Name}'{(isAdmin ? " as an admin" : string.Empty)}?");

        var temporary = KeyPair.Generate();
        var contents = PeerInvitation.Contents(name, ip, cidr.Id, temporary.Public, isAdmin, context.Time.GetUtcNow() + expiry);
        var peer = await session.Admin.AddPeerAsync(contents, cancellationToken).ConfigureAwait(false);
        try
        {
            InvitationFile.Write(path, session.Interface, cidrs, peer, temporary.Private, server);
        }
        catch (IOException e)
        {
            throw new CliUserException(
                $"peer '{peer.Name}' was added but its invitation could not be written: {e.Message}; " +
                $"run 'innernet-server reissue-invite {session.Interface} --name {peer.Name}' for a new one");
        }

        await context.Out.WriteLineAsync(
            $"Peer '{peer.Name}' ({peer.Ip}) added{(session.Admin.ViaServer ? " to the running server" : string.Empty)}; " +
            $"invitation saved to {path} (valid for {expiryText}). " +
            $"Give it to the peer and run: innernet install {Path.GetFileName(path)}").ConfigureAwait(false);
    }
}
