using System.Collections;
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Xunit;

namespace Innernet.Testing;

/// <summary>
/// Asserts what a command line means after parsing with a real command tree: the verb, then each expectation
/// <c>name=value</c>, where <c>name</c> is an option (<c>--mtu</c>) or argument (<c>interface</c>) of the parsed
/// command, or a key of <c>derived</c> (values a production reader computed, such as the global options).
/// Every derived key is always compared: those not listed in the expectations must equal their default.
/// </summary>
public static class CommandLineMeaning
{
    public static void AssertMeans(
        ParseResult result,
        string verb,
        IReadOnlyList<string> expectations,
        IReadOnlyDictionary<string, object?> derived,
        IReadOnlyDictionary<string, object?> derivedDefaults)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(expectations);
        ArgumentNullException.ThrowIfNull(derived);
        ArgumentNullException.ThrowIfNull(derivedDefaults);
        Assert.Empty(result.Errors.Select(e => e.Message));
        Assert.Equal(verb, result.CommandResult.Command.Name);

        var expected = expectations.Select(Split).ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
        foreach (var (name, value) in expected.Where(p => !derived.ContainsKey(p.Key)))
        {
            Assert.True(result.CommandResult.Command.Options.Any(o => o.Name == name)
                || result.CommandResult.Command.Arguments.Any(a => a.Name == name),
                $"'{name}' is neither an option nor an argument of '{verb}'");
            Assert.Equal((name, value), (name, Format(ValueOf(result, name))));
        }

        foreach (var (name, value) in derived)
        {
            string want = expected.TryGetValue(name, out var listed) ? listed : Format(derivedDefaults[name]);
            Assert.Equal((name, want), (name, Format(value)));
        }
    }

    /// <summary>The derived keys of the global options both CLIs share: <c>@config @data @backend @mtu @no-routing</c>.</summary>
    public static Dictionary<string, object?> Globals(string configDirectory, string dataDirectory, object backend, int mtu, bool noRouting)
        => new(StringComparer.Ordinal)
        {
            ["@config"] = configDirectory,
            ["@data"] = dataDirectory,
            ["@backend"] = backend,
            ["@mtu"] = mtu,
            ["@no-routing"] = noRouting,
        };

    private static (string Name, string Value) Split(string expectation)
    {
        int equals = expectation.IndexOf('=', StringComparison.Ordinal);
        Assert.True(equals > 0, $"expectation '{expectation}' is not name=value");
        return (expectation[..equals], expectation[(equals + 1)..]);
    }

    private static object? ValueOf(ParseResult result, string name) => result.GetResult(name) switch
    {
        OptionResult option => option.GetValueOrDefault<object?>(),
        ArgumentResult argument => argument.GetValueOrDefault<object?>(),
        _ => null,
    };

    private static string Format(object? value) => value switch
    {
        null => "<none>",
        bool b => b ? "true" : "false",
        string s => s,
        IEnumerable items => string.Join(",", items.Cast<object?>().Select(Format)),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "<none>",
    };
}
