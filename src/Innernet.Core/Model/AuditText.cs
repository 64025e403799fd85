using System.Globalization;
using System.Text;

namespace Innernet.Core.Model;

/// <summary>The audit log as text, one line per entry, for both commands that show it (server and admin client).</summary>
public static class AuditText
{
    /// <summary>"id  time  actor from source: action -> status" lines, or a sentence when there are none.</summary>
    public static string Format(IReadOnlyList<AuditEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var text = new StringBuilder();
        foreach (var e in entries)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"{e.Id,5}  {e.Time.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z  {e.Actor} from {e.Source}: {e.Action} -> {e.Status}\n");
        }

        return text.Length == 0 ? "No admin actions recorded.\n" : text.ToString();
    }
}
