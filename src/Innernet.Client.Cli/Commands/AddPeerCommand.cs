using System.CommandLine;
using Innernet.Cli;
using Innernet.Client.Cli;
using Innernet.Core.Cidrs;
using Innernet.Core.Config;
using Innernet.Core.Keys;
using Innernet.Core.Model;
using Innernet.Core.Peers;

namespace Innernet.Client.Commands;

/// <summary>
/// <c>add-peer &lt;iface&gt;</c> (admin): the server's prompt flow over the API — leaf CIDR, IP, name, admin, expiry,
/// invitation file, confirm — then <c>POST /v1/admin/peers</c> with a temporary key and the invitation written
/// (0600, never over an existing file; the path is checked before the peer is created).
/// </summary>
internal static class AddPeerCommand
{
    private const string DefaultExpiry = "14d";

    public static Command Create(ClientContext context, GlobalOptions globals)
    {
        var iface = new Argument<string>("interface") { Description = "The network" };
        var name = new Option<string>("--name") { Description = "Name of the new peer" };
        var ip = new Option<string>("--ip") { Description = "IP of the new peer" };
        var autoIp = new Option<bool>("--auto-ip") { Description = "Use the first free IP of the CIDR" };
        var cidr = new Option<string>("--cidr") { Description = "Name of the (leaf) CIDR the peer joins" };
        var admin = new Option<bool?>("--admin") { Description = "Whether the peer is an admin (true or false)" };
        var expires = new Option<string>("--invite-expires") { Description = "How long the invitation is valid, e.g. 14d, 2h" };
        var save = new Option<string>("--save-config") { Description = "Where to write the invitation file" };
        var yes = new Option<bool>("--yes") { Description = "Do not ask for confirmation" };
        var command = new Command("add-peer", "Add a peer and write its invitation (admin)")
        {
            iface, name, ip, autoIp, cidr, admin, expires, save, yes,
        };
        command.SetAction(CliAction.Create(context, async (parse, ct) =>
        {
            var args = globals.Read(parse);
            if (parse.GetResult(ip) is not null && parse.GetValue(autoIp))
            {
                throw new CliUserException("--ip cannot be combined with --auto-ip", ExitCode.Usage);
            }

            var network = ClientNetwork.Load(context, args, parse.GetRequiredValue(iface));
            var prompter = context.Prompter;
            using var api = network.OpenApi(context);
            var cidrs = await api.ListCidrsAsync(ct).ConfigureAwait(false);
            var peers = await api.ListPeersAsync(ct).ConfigureAwait(false);
            var tree = new CidrTree(cidrs);

            var leaves = cidrs.Where(c => c.Id != Cidr.InfraId && tree.IsLeaf(c.Id)).ToList();
            var chosen = Choose.Cidr(prompter, leaves, parse.GetValue(cidr), "--cidr", "Choose a CIDR for the new peer");
            var reserved = await api.ListReservedIpsAsync(ct).ConfigureAwait(false);
            var used = peers.Select(p => p.Ip).Concat(reserved.Select(r => r.Ip)).ToList();
            IPAddress address;
            if (parse.GetValue(ip) is { } ipText)
            {
                address = ParseIp(ipText);
            }
            else
            {
                var free = IpAllocator.FirstFree(chosen, used);
                address = parse.GetValue(autoIp)
                    ? free
                    : ParseIp(prompter.Ask(
                        "--ip or --auto-ip", "IP", free.ToString(), v => IPAddress.TryParse(v, out _) ? null : "not an IP address"));
            }

            string peerName = parse.GetValue(name)
                ?? prompter.Ask("--name", "Name", null, v => Hostname.IsValid(v) ? null : "not a valid hostname");
            Hostname.Validate(peerName, "--name");
            bool isAdmin = parse.GetValue(admin) ?? prompter.Confirm("--admin", $"Make {peerName} an admin?", defaultValue: false);
            string expiryText = parse.GetValue(expires)
                ?? prompter.Ask(
                    "--invite-expires", "Invite expires after", DefaultExpiry, v => Timestring.TryParse(v, out _, out var e) ? null : e);
            if (!Timestring.TryParse(expiryText, out var expiry, out string? expiryError))
            {
                throw new CliUserException($"--invite-expires: {expiryError}", ExitCode.Usage);
            }

            string path = parse.GetValue(save)
                ?? prompter.Ask(
                    "--save-config", "Save peer invitation file to", $"{peerName}.toml", v => v.Length > 0 ? null : "a path is needed");
            if (File.Exists(path))
            {
                throw new CliUserException($"'{path}' already exists; choose another --save-config path");
            }

            var temporary = KeyPair.Generate();
            var contents = PeerInvitation.Contents(
                peerName, address, chosen.Id, temporary.Public, isAdmin, context.Time.GetUtcNow() + expiry);
            PeerRules.ValidateCreate(cidrs, peers, contents);
            Choose.Confirm(prompter, parse.GetValue(yes),
                $"Create peer '{peerName}' ({address}) in '{chosen.Name}'{(isAdmin ? " as an admin" : "")}?");

            var peer = await api.AddPeerAsync(contents, ct).ConfigureAwait(false);
            var server = peers.FirstOrDefault(p => p.Id == Peer.ServerId);
            var serverInfo = new ServerInfo(
                server?.PublicKey ?? network.Config.Server.PublicKey,
                server?.Endpoint ?? network.Config.Server.ExternalEndpoint,
                network.Config.Server.InternalEndpoint);
            var invitation = InterfaceConfig.CreateInvitation(
                network.Config.Interface.NetworkName, peer.Ip, tree, temporary.Private, serverInfo);
            invitation.SaveInvitation(path);
            await context.Out.WriteLineAsync(
                $"[*] peer '{peer.Name}' ({peer.Ip}) added; invitation written to '{path}' (valid for {expiryText}).\n" +
                $"    Send it securely; the invitee runs: innernet install {Path.GetFileName(path)}").ConfigureAwait(false);
        }));
        return command;
    }

    private static IPAddress ParseIp(string text)
        => IPAddress.TryParse(text, out var address) && !text.Contains('%', StringComparison.Ordinal)
            ? address
            : throw new CliUserException($"--ip: '{text}' is not an IP address", ExitCode.Usage);
}
