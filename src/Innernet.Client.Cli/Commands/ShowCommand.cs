using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Innernet.Cli;
using Innernet.Client.Cli;
using Innernet.Core.Client;
using Innernet.Core.Config;
using Innernet.Core.Fetch;
using Innernet.Core.Live;
using Innernet.Core.Model;
using Innernet.Netlink.WireGuard;
using Spectre.Console;

namespace Innernet.Client.Commands;

/// <summary>
/// <c>show [iface]</c> (alias <c>list</c>; also what runs without a verb): each innernet interface with its peers
/// sorted by IP (you included), the endpoint as WireGuard reports it, the last handshake and the transfer;
/// <c>--short</c> one line per peer with ◉ (handshake within 180 s, or you) / ◯; <c>--tree</c> nested by CIDR;
/// <c>--json</c> for scripts.
/// </summary>
internal static class ShowCommand
{
    private const string Connected = "◉";
    private const string NotConnected = "◯";

    public static Command Create(ClientContext context, GlobalOptions globals, out Func<ParseResult, CancellationToken, Task<int>> action)
    {
        var iface = new Argument<string?>("interface") { Description = "Only this network", Arity = ArgumentArity.ZeroOrOne };
        var shortForm = new Option<bool>("--short", "-s") { Description = "One line per peer" };
        var tree = new Option<bool>("--tree", "-t") { Description = "Nest the peers by CIDR" };
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var command = new Command("show", "Show the networks and their peers") { iface, shortForm, tree, json };
        command.Aliases.Add("list");
        action = CliAction.Create(context, async (parse, _) =>
        {
            var args = globals.Read(parse);
            var options = new ShowOptions(parse.GetValue(shortForm), parse.GetValue(tree), parse.GetValue(json), args.Verbosity);
            using var layer = context.OpenDeviceLayer(args.Network.Backend);
            var views = Collect(context, args, layer.WireGuard, parse.GetValue(iface));
            if (!options.Json && options.Tree && context.Terminal is { } terminal)
            {
                foreach (var view in views)
                {
                    terminal.Write(RichTree(view, options));
                }

                return;
            }

            await context.Out.WriteAsync(options.Json ? Json(views) : Text(views, options)).ConfigureAwait(false);
        });
        command.SetAction(action);
        return command;
    }

    /// <summary>Reads every innernet interface (or the named one): device, cache and config.</summary>
    public static IReadOnlyList<InterfaceView> Collect(ClientContext context, GlobalArgs args, WireGuardClient wireGuard, string? only)
    {
        var names = only is null ? wireGuard.ListDevices().Order(StringComparer.Ordinal).ToList() : [only];
        var now = context.Time.GetUtcNow();
        var views = new List<InterfaceView>();
        foreach (string name in names)
        {
            string dataPath = ClientPaths.DataFile(args.DataDirectory, name);
            if (!File.Exists(dataPath))
            {
                if (only is not null)
                {
                    throw new CliUserException(
                        $"'{name}' is not an innernet interface here (no peer cache '{dataPath}')", ExitCode.NotFound);
                }

                continue;
            }

            // The cache is decoded while the device is read: a userspace device answers from another process.
            var cache = Task.Run(() => DataStore.OpenToList(dataPath));
            var device = wireGuard.GetDevice(name);
            if (device is null)
            {
                if (only is not null)
                {
                    throw new CliUserException($"interface {name} is not up; run 'innernet up {name}'", ExitCode.NotFound);
                }

                continue;
            }

            var store = cache.GetAwaiter().GetResult();
            string configPath = ClientPaths.ConfigFile(args.ConfigDirectory, name);
            var config = File.Exists(configPath) ? InterfaceConfig.Load(configPath).Config : null;
            var updates = LiveStatusFile.ReadRunning(LiveStatusFile.PathFor(args.DataDirectory, name));
            views.Add(InterfaceView.Build(name, device, store.Peers, store.Cidrs, config, now, updates));
        }

        return views;
    }

    public static string Text(IReadOnlyList<InterfaceView> views, ShowOptions options)
    {
        var text = new StringBuilder();
        foreach (var view in views)
        {
            text.Append("network ").Append(view.Name);
            if (view.Address is { } address)
            {
                text.Append(" (").Append(address.Network).Append(')');
            }

            text.Append(", listening on port ").Append(view.ListenPort).Append('\n');
            text.Append("  updates: ").Append(UpdatesText(view)).Append('\n');
            if (options.Tree && view.Cidrs.Count > 0)
            {
                CidrListing.AppendTree(text, view.Cidrs, depth: 1, (lines, cidr, indent) =>
                {
                    foreach (var row in view.Peers.Where(r => r.CidrId == cidr.Id))
                    {
                        AppendPeer(lines, row, view.Now, options, indent);
                    }
                });
                var placed = view.Cidrs.Select(c => c.Id).ToHashSet();
                foreach (var row in view.Peers.Where(r => r.CidrId is null || !placed.Contains(r.CidrId.Value)))
                {
                    AppendPeer(text, row, view.Now, options, "  ");
                }
            }
            else
            {
                foreach (var row in view.Peers)
                {
                    AppendPeer(text, row, view.Now, options, "  ");
                }
            }
        }

        return text.ToString();
    }

    /// <summary>"live since …, last update …", "polling since …", or "not running" (no <c>up --daemon</c> for it).</summary>
    public static string UpdatesText(InterfaceView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        if (view.Updates is not { } status)
        {
            return "not running (no 'inn up --daemon' for this network)";
        }

        string mode = status.Mode switch
        {
            LiveMode.Live => "live (state stream held)",
            LiveMode.Polling => "polling (the server offers no state stream)",
            _ => "connecting",
        };
        var text = new StringBuilder(mode).Append(" since ").Append(Format.Ago(view.Now - status.Since));
        if (status.LastUpdate is { } last)
        {
            text.Append(", last update ").Append(Format.Ago(view.Now - last));
        }

        return text.Append(", daemon pid ").Append(status.Pid.ToString(CultureInfo.InvariantCulture)).ToString();
    }

    /// <summary>The <c>--tree</c> form as a Spectre.Console tree (on a terminal).</summary>
    public static Tree RichTree(InterfaceView view, ShowOptions options)
    {
        var tree = new Tree(Markup.Escape($"network {view.Name}, listening on port {view.ListenPort}; updates: {UpdatesText(view)}"));
        if (view.Cidrs.Count == 0)
        {
            return tree;
        }

        CidrListing.Walk<IHasTreeNodes>(view.Cidrs, tree, (parent, cidr) =>
        {
            var node = parent.AddNode(Markup.Escape($"{cidr.Network} {cidr.Name}"));
            foreach (var row in view.Peers.Where(r => r.CidrId == cidr.Id))
            {
                var line = new StringBuilder();
                AppendPeer(line, row, view.Now, options with { Short = true }, "");
                node.AddNode(Markup.Escape(line.ToString().TrimEnd('\n')));
            }

            return node;
        });
        return tree;
    }

    private static void AppendPeer(StringBuilder text, PeerRow row, DateTimeOffset now, ShowOptions options, string indent)
    {
        string key = Format.Key(row.PublicKey.ToBase64(), options.Verbosity);
        if (options.Short)
        {
            text.Append(indent).Append("| ").Append(row.Connected ? Connected : NotConnected).Append(' ').Append(row.Ip).Append(": ")
                .Append(row.Name).Append(" (").Append(row.IsYou ? "you, " : "").Append(key).Append(')')
                .Append(row.Overridden ? " (endpoint overridden locally)" : "").Append('\n');
            return;
        }

        text.Append(indent).Append("peer: ").Append(row.Name).Append(row.IsYou ? " (you)" : "").Append(" (").Append(key).Append(")\n");
        string detail = indent + "  ";
        text.Append(detail).Append("ip: ").Append(row.Ip).Append('\n');
        if (row.IsYou)
        {
            return;
        }

        if (row.Endpoint is { } endpoint)
        {
            text.Append(detail).Append("endpoint: ").Append(Endpoint.FromIPEndPoint(endpoint))
                .Append(row.Overridden ? " (endpoint overridden locally)" : "").Append('\n');
        }

        text.Append(detail).Append("last handshake: ").Append(row.LastHandshake is { } h ? Format.Ago(now - h) : "never").Append('\n');
        text.Append(detail).Append("transfer: ").Append(Format.Bytes(row.ReceiveBytes)).Append(" received, ")
            .Append(Format.Bytes(row.TransmitBytes)).Append(" sent\n");
    }

    private static void WriteUpdates(Utf8JsonWriter json, LiveStatus? status)
    {
        json.WriteStartObject("updates");
        json.WriteString("mode", status is null ? "not_running" : status.Mode.ToString().ToLowerInvariant());
        if (status is not null)
        {
            json.WriteNumber("pid", status.Pid);
            json.WriteNumber("since", status.Since.ToUnixTimeSeconds());
            if (status.LastUpdate is { } last)
            {
                json.WriteNumber("last_update", last.ToUnixTimeSeconds());
            }
            else
            {
                json.WriteNull("last_update");
            }
        }

        json.WriteEndObject();
    }

    public static string Json(IReadOnlyList<InterfaceView> views)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteStartArray("interfaces");
            foreach (var view in views)
            {
                json.WriteStartObject();
                json.WriteString("name", view.Name);
                json.WriteNumber("listen_port", view.ListenPort);
                WriteUpdates(json, view.Updates);
                if (view.Address is { } address)
                {
                    json.WriteString("address", address.ToString());
                }

                json.WriteStartArray("peers");
                foreach (var row in view.Peers)
                {
                    json.WriteStartObject();
                    json.WriteString("name", row.Name);
                    json.WriteString("ip", row.Ip.ToString());
                    json.WriteString("public_key", row.PublicKey.ToBase64());
                    json.WriteBoolean("is_you", row.IsYou);
                    if (row.Endpoint is { } endpoint)
                    {
                        json.WriteString("endpoint", Endpoint.FromIPEndPoint(endpoint).ToString());
                    }
                    else
                    {
                        json.WriteNull("endpoint");
                    }

                    json.WriteBoolean("endpoint_overridden", row.Overridden);
                    if (row.LastHandshake is { } h)
                    {
                        json.WriteNumber("last_handshake", h.ToUnixTimeSeconds());
                        json.WriteNumber("last_handshake_seconds_ago", Math.Max(0, (long)(view.Now - h).TotalSeconds));
                    }
                    else
                    {
                        json.WriteNull("last_handshake");
                        json.WriteNull("last_handshake_seconds_ago");
                    }

                    json.WriteBoolean("connected", row.Connected);
                    json.WriteNumber("rx_bytes", row.ReceiveBytes);
                    json.WriteNumber("tx_bytes", row.TransmitBytes);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }
}
