using System.CommandLine;
using Innernet.Core.Contracts;
using Innernet.Core.Model;

namespace Innernet.Cli;

/// <summary>
/// What both CLIs' <c>audit</c> verbs share: the <c>--since DURATION</c> option, read as a point in time, and the
/// way the entries are printed (text lines or JSON).
/// </summary>
internal static class AuditOptions
{
    /// <summary>A new <c>--since</c> option (each command needs its own instance).</summary>
    public static Option<string?> Since() => new("--since") { Description = "Only actions of the last DURATION (e.g. 30m, 12h, 7d)" };

    /// <summary>The earliest time <paramref name="since"/> asks for, or null when it was not given.</summary>
    /// <exception cref="CliUserException">The duration does not parse (a usage error).</exception>
    public static DateTimeOffset? From(ParseResult parse, Option<string?> since, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(time);
        if (parse.GetValue(since) is not { } text)
        {
            return null;
        }

        return Timestring.TryParse(text, out var span, out string? error)
            ? time.GetUtcNow() - span
            : throw new CliUserException($"--since: {error}", ExitCode.Usage);
    }

    /// <summary>The entries as JSON (one document and a newline) or as <see cref="AuditText"/> lines.</summary>
    public static string Render(IReadOnlyList<AuditEntry> entries, bool json) =>
        json ? InnernetJson.Serialize(entries) + "\n" : AuditText.Format(entries);
}
