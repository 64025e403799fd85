using System.Text;
using System.Text.Json;

namespace Innernet.Server.Cli;

/// <summary>Turns an error body (RFC 7807 problem details, or text) into one line for the user.</summary>
internal static class ProblemText
{
    private const int MaxLength = 500;

    public static string Describe(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                var parts = new List<string>();
                foreach (string field in (string[])["title", "detail"])
                {
                    if (root.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String
                        && value.GetString() is { Length: > 0 } text)
                    {
                        parts.Add(text);
                    }
                }

                if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
                {
                    foreach (var error in errors.EnumerateObject())
                    {
                        string messages = error.Value.ValueKind == JsonValueKind.Array
                            ? string.Join("; ", error.Value.EnumerateArray().Select(e => e.ToString()))
                            : error.Value.ToString();
                        parts.Add($"{error.Name}: {messages}");
                    }
                }

                if (parts.Count > 0)
                {
                    return Truncate(string.Join(" — ", parts));
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: show the text.
        }

        return Truncate(Encoding.UTF8.GetString(body).Trim());
    }

    private static string Truncate(string text) => text.Length <= MaxLength ? text : text[..MaxLength] + "…";
}
