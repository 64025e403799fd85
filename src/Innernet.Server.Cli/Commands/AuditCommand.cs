using System.CommandLine;
using Innernet.Cli;
using Innernet.Core.Contracts;
using Innernet.Core.Model;
using Innernet.Server.Cli;

namespace Innernet.Server.Commands;

/// <summary><c>audit &lt;iface&gt; [--since DURATION] [--json]</c> (beyond innernet): the admin actions the server recorded.</summary>
internal static class AuditCommand
{
    public static Command Create(CliContext context, GlobalOptions global)
    {
        var iface = CommonOptions.Interface();
        var since = new Option<string?>("--since") { Description = "Only actions of the last DURATION (e.g. 30m, 12h, 7d)" };
        var json = CommonOptions.Json();
        var command = new Command("audit", "Show the admin actions the server recorded: who, what, when, from where") { iface, since, json };
        command.SetAction(CliAction.Create(context, requiresRoot: true, async (parse, ct) =>
        {
            DateTimeOffset? from = null;
            if (parse.GetValue(since) is { } text)
            {
                from = Timestring.TryParse(text, out var span, out string? error)
                    ? context.Time.GetUtcNow() - span
                    : throw new CliUserException($"--since: {error}", ExitCode.Usage);
            }

            await using var session = await NetworkSession.OpenAsync(context, global.Read(parse), parse.GetRequiredValue(iface), ct)
                .ConfigureAwait(false);
            var entries = await session.Admin.ListAuditAsync(from, ct).ConfigureAwait(false);
            await context.Out.WriteAsync(parse.GetValue(json) ? InnernetJson.Serialize(entries) + "\n" : AuditText.Format(entries)).ConfigureAwait(false);
        }));
        return command;
    }
}
