using System.CommandLine;
using System.Globalization;
using Innernet.Cli;
using Innernet.Core.Contracts;
using Innernet.Core.Model;
using Innernet.Server.Cli;

namespace Innernet.Server.Commands;

/// <summary><c>list-peers</c>, <c>list-cidrs</c> (<c>--tree</c>) and <c>list-associations</c>, as text or <c>--json</c>.</summary>
internal static class ListCommands
{
    private static readonly string[] PeerHeader = ["ID", "NAME", "IP", "CIDR", "ADMIN", "STATE", "ENDPOINT"];

    public static Command ListPeers(CliContext context, GlobalOptions global)
    {
        var iface = CommonOptions.Interface();
        var json = CommonOptions.Json();
        var command = new Command("list-peers", "List every peer (disabled and unredeemed ones included)") { iface, json };
        command.SetAction(CliAction.Create(context, requiresRoot: true, async (parse, ct) =>
        {
            await using var session = await NetworkSession
                .OpenForReadingAsync(context, global.Read(parse), parse.GetRequiredValue(iface), ct).ConfigureAwait(false);
            var peers = await session.Reader.ListPeersAsync(ct).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                await context.Out.WriteLineAsync(InnernetJson.Serialize(peers)).ConfigureAwait(false);
                return;
            }

            var cidrs = (await session.Reader.ListCidrsAsync(ct).ConfigureAwait(false)).ToDictionary(c => c.Id);
            await context.Out.WriteAsync(FormatPeers(peers, cidrs, context.Time.GetUtcNow())).ConfigureAwait(false);
        }));
        return command;
    }

    public static Command ListCidrs(CliContext context, GlobalOptions global)
    {
        var iface = CommonOptions.Interface();
        var tree = new Option<bool>("--tree", "-t") { Description = "Show the CIDRs as a tree" };
        var json = CommonOptions.Json();
        var command = new Command("list-cidrs", "List the CIDRs") { iface, tree, json };
        command.SetAction(CliAction.Create(context, requiresRoot: true, async (parse, ct) =>
        {
            await using var session = await NetworkSession
                .OpenForReadingAsync(context, global.Read(parse), parse.GetRequiredValue(iface), ct).ConfigureAwait(false);
            var cidrs = await session.Reader.ListCidrsAsync(ct).ConfigureAwait(false);
            string text = parse.GetValue(json) ? ListingJson.Cidrs(cidrs) : CidrListing.Text(cidrs, parse.GetValue(tree));
            await context.Out.WriteAsync(text).ConfigureAwait(false);
        }));
        return command;
    }

    public static Command ListAssociations(CliContext context, GlobalOptions global)
    {
        var iface = CommonOptions.Interface();
        var json = CommonOptions.Json();
        var command = new Command("list-associations", "List the associations between CIDRs") { iface, json };
        command.SetAction(CliAction.Create(context, requiresRoot: true, async (parse, ct) =>
        {
            await using var session = await NetworkSession
                .OpenForReadingAsync(context, global.Read(parse), parse.GetRequiredValue(iface), ct).ConfigureAwait(false);
            var associations = await session.Reader.ListAssociationsAsync(ct).ConfigureAwait(false);
            string text = parse.GetValue(json) ? ListingJson.Associations(associations)
                : CidrListing.Associations(associations, await session.Reader.ListCidrsAsync(ct).ConfigureAwait(false));
            await context.Out.WriteAsync(text).ConfigureAwait(false);
        }));
        return command;
    }

    public static string FormatPeers(IReadOnlyList<Peer> peers, IReadOnlyDictionary<long, Cidr> cidrs, DateTimeOffset now)
    {
        var rows = new List<string[]> { PeerHeader };
        foreach (var peer in peers)
        {
            string state = peer.IsDisabled ? "disabled"
                : peer.IsRedeemed ? "active"
                : peer.InviteExpires is { } expires
                    ? (expires < now
                        ? "invite expired"
                        : string.Create(CultureInfo.InvariantCulture, $"invited until {expires:yyyy-MM-dd HH:mm:ss}Z"))
                    : "invited";
            rows.Add([
                peer.Id.ToString(CultureInfo.InvariantCulture), peer.Name, peer.Ip.ToString(), CidrName(cidrs, peer.CidrId),
                peer.IsAdmin ? "yes" : "no", state, peer.Endpoint?.ToString() ?? "-",
            ]);
        }

        return Table(rows);
    }

    private static string CidrName(IReadOnlyDictionary<long, Cidr> cidrs, long id)
        => cidrs.TryGetValue(id, out var cidr) ? cidr.Name : id.ToString(CultureInfo.InvariantCulture);

    private static string Table(List<string[]> rows)
    {
        int columns = rows[0].Length;
        var widths = Enumerable.Range(0, columns).Select(i => rows.Max(r => r[i].Length)).ToArray();
        var text = new System.Text.StringBuilder();
        foreach (var row in rows)
        {
            text.AppendJoin("  ", row.Select((cell, i) => i == columns - 1 ? cell : cell.PadRight(widths[i]))).Append('\n');
        }

        return text.ToString();
    }
}
