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

    /// <summary>
    /// The <c>list-peers</c> table: a header and a line a peer, every column but the last padded to its widest cell and
    /// the columns two spaces apart. Built in two passes over the peers (widths, then text) into one buffer of the final
    /// size: at 1,000 peers a cell array a row and a padded copy of every cell cost more than reading the peers.
    /// </summary>
    public static string FormatPeers(IReadOnlyList<Peer> peers, IReadOnlyDictionary<long, Cidr> cidrs, DateTimeOffset now)
    {
        var cells = new PeerCells[peers.Count];
        Span<int> widths = stackalloc int[PeerHeader.Length];
        for (int c = 0; c < PeerHeader.Length; c++)
        {
            widths[c] = PeerHeader[c].Length;
        }

        for (int i = 0; i < cells.Length; i++)
        {
            var peer = peers[i];
            ref var row = ref cells[i];
            row.Id = peer.Id.ToString(CultureInfo.InvariantCulture);
            row.Ip = peer.Ip.ToString();
            row.Cidr = CidrName(cidrs, peer.CidrId);
            row.State = State(peer, now);
            row.Endpoint = peer.Endpoint?.ToString() ?? "-";
            widths[0] = Math.Max(widths[0], row.Id.Length);
            widths[1] = Math.Max(widths[1], peer.Name.Length);
            widths[2] = Math.Max(widths[2], row.Ip.Length);
            widths[3] = Math.Max(widths[3], row.Cidr.Length);
            widths[4] = Math.Max(widths[4], peer.IsAdmin ? 3 : 2);
            widths[5] = Math.Max(widths[5], row.State.Length);
            widths[6] = Math.Max(widths[6], row.Endpoint.Length);
        }

        int padded = 0;
        for (int c = 0; c < PeerHeader.Length - 1; c++)
        {
            padded += widths[c] + 2;
        }

        int length = padded + PeerHeader[^1].Length + 1;
        foreach (var row in cells)
        {
            length += padded + row.Endpoint.Length + 1;
        }

        var text = new System.Text.StringBuilder(length);
        AppendLine(text, widths, PeerHeader[0], PeerHeader[1], PeerHeader[2], PeerHeader[3], PeerHeader[4], PeerHeader[5], PeerHeader[6]);
        for (int i = 0; i < cells.Length; i++)
        {
            var peer = peers[i];
            ref var row = ref cells[i];
            AppendLine(text, widths, row.Id, peer.Name, row.Ip, row.Cidr, peer.IsAdmin ? "yes" : "no", row.State, row.Endpoint);
        }

        return text.ToString();
    }

    private static string State(Peer peer, DateTimeOffset now) => peer.IsDisabled ? "disabled"
        : peer.IsRedeemed ? "active"
        : peer.InviteExpires is { } expires
            ? (expires < now
                ? "invite expired"
                : string.Create(CultureInfo.InvariantCulture, $"invited until {expires:yyyy-MM-dd HH:mm:ss}Z"))
            : "invited";

    private static string CidrName(IReadOnlyDictionary<long, Cidr> cidrs, long id)
        => cidrs.TryGetValue(id, out var cidr) ? cidr.Name : id.ToString(CultureInfo.InvariantCulture);

    private static void AppendLine(
        System.Text.StringBuilder text, ReadOnlySpan<int> widths,
        string id, string name, string ip, string cidr, string admin, string state, string endpoint)
    {
        AppendCell(text, id, widths[0]);
        AppendCell(text, name, widths[1]);
        AppendCell(text, ip, widths[2]);
        AppendCell(text, cidr, widths[3]);
        AppendCell(text, admin, widths[4]);
        AppendCell(text, state, widths[5]);
        text.Append(endpoint).Append('\n');
    }

    /// <summary>A cell padded to <paramref name="width"/>, then the two spaces before the next column.</summary>
    private static void AppendCell(System.Text.StringBuilder text, string cell, int width)
        => text.Append(cell).Append(' ', width - cell.Length + 2);

    /// <summary>The cells of a peer's line that are not already strings of the peer.</summary>
    private struct PeerCells
    {
        public string Id;
        public string Ip;
        public string Cidr;
        public string State;
        public string Endpoint;
    }
}
