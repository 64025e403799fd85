using System.CommandLine;
using Innernet.Cli;
using Innernet.Server.Cli;

namespace Innernet.Server.Commands;

/// <summary><c>audit &lt;iface&gt; [--since DURATION] [--json]</c> (beyond innernet): the admin actions the server recorded.</summary>
internal static class AuditCommand
{
    public static Command Create(CliContext context, GlobalOptions global)
    {
        var iface = CommonOptions.Interface();
        var since = AuditOptions.Since();
        var json = CommonOptions.Json();
        var command = new Command("audit", "Show the admin actions the server recorded: who, what, when, from where")
        {
            iface, since, json,
        };
        command.SetAction(CliAction.Create(context, requiresRoot: true, async (parse, ct) =>
        {
            var from = AuditOptions.From(parse, since, context.Time);
            await using var session = await NetworkSession
                .OpenForReadingAsync(context, global.Read(parse), parse.GetRequiredValue(iface), ct).ConfigureAwait(false);
            var entries = await session.Reader.ListAuditAsync(from, ct).ConfigureAwait(false);
            await context.Out.WriteAsync(AuditOptions.Render(entries, parse.GetValue(json))).ConfigureAwait(false);
        }));
        return command;
    }
}
