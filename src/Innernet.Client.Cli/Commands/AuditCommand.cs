using System.CommandLine;
using Innernet.Cli;
using Innernet.Client.Cli;
using Innernet.Core.Contracts;
using Innernet.Core.Model;

namespace Innernet.Client.Commands;

/// <summary>
/// <c>audit &lt;iface&gt; [--since DURATION] [--json]</c> (admin; beyond innernet): the admin actions the server recorded,
/// through <c>GET /v1/admin/audit</c>; the same lines as <c>innernet-server audit</c>.
/// </summary>
internal static class AuditCommand
{
    public static Command Create(ClientContext context, GlobalOptions globals)
    {
        var iface = new Argument<string>("interface") { Description = "The network" };
        var since = new Option<string?>("--since") { Description = "Only actions of the last DURATION (e.g. 30m, 12h, 7d)" };
        var json = new Option<bool>("--json") { Description = "Print the entries as JSON" };
        var command = new Command("audit", "Show the admin actions the server recorded (admin; servers of this project only)")
        {
            iface, since, json,
        };
        command.SetAction(CliAction.Create(context, async (parse, ct) =>
        {
            DateTimeOffset? from = null;
            if (parse.GetValue(since) is { } text)
            {
                from = Timestring.TryParse(text, out var span, out string? error)
                    ? context.Time.GetUtcNow() - span
                    : throw new CliUserException($"--since: {error}", ExitCode.Usage);
            }

            var network = ClientNetwork.Load(context, globals.Read(parse), parse.GetRequiredValue(iface));
            using var api = network.OpenApi(context);
            var entries = await api.ListAuditAsync(from, ct).ConfigureAwait(false);
            await context.Out.WriteAsync(parse.GetValue(json) ? InnernetJson.Serialize(entries) + "\n" : AuditText.Format(entries))
                .ConfigureAwait(false);
        }));
        return command;
    }
}
