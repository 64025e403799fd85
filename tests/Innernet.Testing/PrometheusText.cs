using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Xunit;

namespace Innernet.Testing;

/// <summary>
/// One scrape in the Prometheus text format, read back: every sample as name, labels and value (comments skipped).
/// Written from the format's description, independently of the exporter.
/// </summary>
public sealed partial class PrometheusText
{
    private readonly List<(string Name, Dictionary<string, string> Labels, double Value)> _samples = [];

    private PrometheusText(string text)
    {
        Text = text;
        foreach (string line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var match = SampleLine().Match(line);
            Assert.True(match.Success, $"not a sample line: '{line}'");
            var labels = new Dictionary<string, string>();
            foreach (Match label in LabelPair().Matches(match.Groups["labels"].Value))
            {
                labels[label.Groups["name"].Value] = label.Groups["value"].Value.Replace("\\\"", "\"", StringComparison.Ordinal)
                    .Replace("\\n", "\n", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);
            }

            string value = match.Groups["value"].Value;
            _samples.Add((match.Groups["name"].Value, labels, value switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                _ => double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture),
            }));
        }
    }

    public string Text { get; }

    /// <summary>Reads a scrape's body (every non-comment line must be a sample).</summary>
    public static PrometheusText Parse(string text) => new(text);

    /// <summary>Scrapes <c>/metrics</c> with <paramref name="client"/> (200, text format).</summary>
    public static async Task<PrometheusText> ScrapeAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/metrics", TestContext.Current.CancellationToken);
        string text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET /metrics: {(int)response.StatusCode} '{text}'");
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        return new PrometheusText(text);
    }

    /// <summary>The value of the one sample named <paramref name="name"/> with these labels (and maybe others); 0 when none.</summary>
    public double Value(string name, params (string Label, string Value)[] labels)
    {
        var matching = _samples
            .Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Label, out string? v) && v == l.Value))
            .ToList();
        Assert.True(matching.Count <= 1, $"{matching.Count} samples of {name} match; scrape:\n{Text}");
        return matching.Count == 0 ? 0 : matching[0].Value;
    }

    /// <summary>Every sample named <paramref name="name"/>, with its labels.</summary>
    public IEnumerable<(IReadOnlyDictionary<string, string> Labels, double Value)> Samples(string name)
        => _samples.Where(s => s.Name == name).Select(s => ((IReadOnlyDictionary<string, string>)s.Labels, s.Value));

    /// <summary>The sum of every sample named <paramref name="name"/> (all label sets).</summary>
    public double Sum(string name) => _samples.Where(s => s.Name == name).Sum(s => s.Value);

    /// <summary>True when some sample is named <paramref name="name"/>.</summary>
    public bool Has(string name) => _samples.Any(s => s.Name == name);

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)(\s+-?\d+)?$")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"(?<name>[a-zA-Z_][a-zA-Z0-9_]*)=""(?<value>(\\.|[^""\\])*)""")]
    private static partial Regex LabelPair();
}
