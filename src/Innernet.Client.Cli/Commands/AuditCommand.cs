using System.CommandLine;
using Innernet.Cli;
using Innernet.Client.Cli;

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
        var since = AuditOptions.Since();
        var json = new Option<bool>("--json") { Description = "Print the entries as JSON" };
        var command = new Command("audit", "Show the admin actions the server recorded (admin; servers of this project only)")
        {
            iface, since, json,
        };
        command.SetAction(CliAction.Create(context, async (parse, ct) =>
        {
            var from = AuditOptions.From(parse, since, context.Time);
            var network = ClientNetwork.Load(context, globals.Read(parse), parse.GetRequiredValue(iface));
            using var api = network.OpenApi(context);
            var entries = await api.ListAuditAsync(from, ct).ConfigureAwait(false);
            await context.Out.WriteAsync(AuditOptions.Render(entries, parse.GetValue(json))).ConfigureAwait(false);
        }));
        return command;
    }
}
