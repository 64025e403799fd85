using Innernet.Netlink.Route;
using System.Globalization;
using System.Net.Sockets;
using Innernet.Core.Model;
using Innernet.Netlink.WireGuard;
using Tomlyn;
using Tomlyn.Model;
using Tomlyn.Serialization;

namespace Innernet.Core.Config;

/// <summary>
/// Reads TOML through Tomlyn's table model and maps values with messages naming the file, section and key.
/// No Tomlyn type leaves this folder.
/// </summary>
internal sealed class TomlDocument
{
    private readonly string _source;

    private TomlDocument(string source, TomlTable root)
    {
        _source = source;
        Root = root;
    }

    public TomlTable Root { get; }

    /// <exception cref="ValidationException">The text is not valid TOML (never another exception).</exception>
    public static TomlDocument Parse(string text, string source)
    {
        try
        {
            // The source-generated context keeps the parse free of reflection (trimming and Native AOT).
            var context = new TomlModelContext(new TomlSerializerOptions { SourceName = source });
            var table = TomlSerializer.Deserialize(text, context.TomlTable)
                ?? throw new ValidationException($"{source}: the file is empty.");
            return new TomlDocument(source, table);
        }
        catch (TomlException e)
        {
            throw new ValidationException($"{source}: invalid TOML: {e.Message}", e);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException or InvalidOperationException)
        {
            // Tomlyn's lexer fails on some malformed input (e.g. a \U escape cut off by the end of the file) with a
            // framework exception instead of a TomlException; that is still a file that is not valid TOML.
            throw new ValidationException($"{source}: invalid TOML ({e.Message})", e);
        }
    }

    public TomlTable Section(string name)
        => Root.TryGetValue(name, out object? value) && value is TomlTable table
            ? table
            : throw Invalid(null, name, value is null ? "is missing" : "must be a table");

    public TomlTable? OptionalSection(string name)
        => !Root.TryGetValue(name, out object? value) ? null
            : value as TomlTable ?? throw Invalid(null, name, "must be a table");

    public string String(TomlTable table, string? section, string key)
        => Optional(table, key) switch
        {
            null => throw Invalid(section, key, "is missing"),
            string s => s,
            _ => throw Invalid(section, key, "must be a string"),
        };

    public long Integer(TomlTable table, string? section, string key)
        => OptionalInteger(table, section, key) ?? throw Invalid(section, key, "is missing");

    public long? OptionalInteger(TomlTable table, string? section, string key)
        => Optional(table, key) switch
        {
            null => null,
            long l => l,
            int i => i,
            _ => throw Invalid(section, key, "must be an integer"),
        };

    public bool? OptionalBoolean(TomlTable table, string? section, string key)
        => Optional(table, key) switch
        {
            null => null,
            bool b => b,
            _ => throw Invalid(section, key, "must be true or false"),
        };

    public ushort Port(TomlTable table, string? section, string key)
        => OptionalPort(table, section, key) ?? throw Invalid(section, key, "is missing");

    public ushort? OptionalPort(TomlTable table, string? section, string key)
        => OptionalInteger(table, section, key) switch
        {
            null => null,
            >= 0 and <= ushort.MaxValue and var v => (ushort)v,
            var v => throw Invalid(section, key, $"must be a port from 0 to {ushort.MaxValue}, not {v}"),
        };

    public WireGuardKey Key(TomlTable table, string? section, string key)
        => WireGuardKey.TryParse(String(table, section, key), out var value)
            ? value
            : throw Invalid(section, key, "must be a WireGuard key: 44 characters of base64 encoding 32 bytes");

    public IPAddress Address(TomlTable table, string? section, string key)
    {
        string text = String(table, section, key);
        return !text.Contains('%', StringComparison.Ordinal) && IPAddress.TryParse(text, out var address)
            ? address
            : throw Invalid(section, key, $"must be an IP address, not '{text}'");
    }

    public Endpoint Endpoint(TomlTable table, string? section, string key)
    {
        string text = String(table, section, key);
        return Model.Endpoint.TryParse(text, out var endpoint, out string? error) ? endpoint : throw Invalid(section, key, error);
    }

    public IPEndPoint SocketAddress(TomlTable table, string? section, string key)
    {
        string text = String(table, section, key);
        return IPEndPoint.TryParse(text, out var endPoint) && !text.Contains('%', StringComparison.Ordinal)
            && (endPoint.AddressFamily == AddressFamily.InterNetwork || text.StartsWith('['))
            ? endPoint
            : throw Invalid(section, key, $"must be an IP address and port (e.g. 10.42.0.1:51820 or [fd00::1]:51820), not '{text}'");
    }

    public InterfaceAddress InterfaceAddress(TomlTable table, string? section, string key)
    {
        string text = String(table, section, key);
        return Netlink.Route.InterfaceAddress.TryParse(text, out var value, out string? error) ? value : throw Invalid(section, key, error);
    }

    public ValidationException Invalid(string? section, string key, string problem)
    {
        string where = section is null ? $"'{key}'" : $"[{section}] '{key}'";
        return new ValidationException(string.Create(CultureInfo.InvariantCulture, $"{_source}: {where} {problem}."));
    }

    private static object? Optional(TomlTable table, string key) => table.TryGetValue(key, out object? value) ? value : null;
}

/// <summary>Tomlyn's metadata for the untyped table model, generated at build time (no reflection).</summary>
[TomlSerializable(typeof(TomlTable))]
internal sealed partial class TomlModelContext : TomlSerializerContext
{
    /// <summary>A context whose type metadata uses <paramref name="options"/> (e.g. the file name in errors).</summary>
    public TomlModelContext(TomlSerializerOptions options)
        : base(options)
    {
    }
}
