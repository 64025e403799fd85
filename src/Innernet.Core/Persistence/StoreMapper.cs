using System.Globalization;
using Innernet.Core.Model;
using Innernet.Netlink.WireGuard;
using LiteDB;

namespace Innernet.Core.Persistence;

/// <summary>
/// The one place where .NET values get their BSON form. Every value is stored in the text form innernet's
/// SQLite schema uses, so a database dump reads like innernet's: addresses and ranges as text, keys in
/// base64, endpoints as <c>host:port</c>, times as whole unix seconds (innernet stores seconds).
/// </summary>
/// <remarks>
/// Written by hand rather than through LiteDB's reflection-based <c>BsonMapper</c>: that mapper builds and
/// compiles expression trees per type on first use (a large share of a cold open at 10,000 peers) and breaks
/// under trimming. The forms are those the reflection mapper wrote, so older files read unchanged: ids and
/// other <c>long</c>s as Int64, <c>int</c>s as Int32, absent optional values as BSON null.
/// Every reader refuses a value of the wrong BSON type or text with a <see cref="StoreException"/>.
/// </remarks>
internal static class StoreMapper
{
    public const string IdField = "_id";

    /// <summary>Whole seconds in UTC: the precision the database keeps (as innernet's).</summary>
    public static DateTimeOffset? ToStoredPrecision(DateTimeOffset? time)
        => time is { } t ? DateTimeOffset.FromUnixTimeSeconds(t.ToUnixTimeSeconds()) : null;

    public static BsonValue Write(IPAddress address) => new(address.ToString());

    public static BsonValue Write(IPNetwork network) => new(network.ToString());

    public static BsonValue Write(WireGuardKey key) => new(key.ToBase64());

    public static BsonValue Write(Endpoint? endpoint) => endpoint is null ? BsonValue.Null : new BsonValue(endpoint.ToString());

    public static BsonValue Write(DateTimeOffset? time) => time is { } t ? new BsonValue(t.ToUnixTimeSeconds()) : BsonValue.Null;

    public static BsonValue Write(long? value) => value is { } v ? new BsonValue(v) : BsonValue.Null;

    public static BsonValue Write(int? value) => value is { } v ? new BsonValue(v) : BsonValue.Null;

    public static BsonValue Write(IReadOnlyList<Endpoint> endpoints)
    {
        var array = new BsonArray();
        foreach (var endpoint in endpoints)
        {
            array.Add(Write(endpoint));
        }

        return array;
    }

    public static IPAddress ReadIPAddress(BsonValue value)
        => IPAddress.TryParse(AsText(value, "IP address"), out var address) ? address : throw Corrupt("IP address", value);

    public static IPNetwork ReadIPNetwork(BsonValue value)
    {
        // The stored text is what ToString wrote; anything else (host bits set, garbage) is damage.
        string text = AsText(value, "IP network");
        return IPNetwork.TryParse(text, out var network) && network.ToString() == text ? network : throw Corrupt("IP network", value);
    }

    public static WireGuardKey ReadKey(BsonValue value)
        => WireGuardKey.TryParse(AsText(value, "WireGuard key"), out var key) ? key : throw Corrupt("WireGuard key", value);

    public static Endpoint ReadEndpoint(BsonValue value)
        => Endpoint.TryParse(AsText(value, "endpoint"), out var endpoint) ? endpoint : throw Corrupt("endpoint", value);

    public static Endpoint? ReadOptionalEndpoint(BsonValue value) => value.IsNull ? null : ReadEndpoint(value);

    public static DateTimeOffset ReadTime(BsonValue value)
        => value.IsNumber ? DateTimeOffset.FromUnixTimeSeconds(value.AsInt64) : throw Corrupt("time", value);

    public static DateTimeOffset? ReadOptionalTime(BsonValue value) => value.IsNull ? null : ReadTime(value);

    public static IReadOnlyList<Endpoint> ReadEndpoints(BsonValue value)
    {
        if (value.IsNull)
        {
            return [];
        }

        if (!value.IsArray)
        {
            throw Corrupt("endpoint list", value);
        }

        var array = value.AsArray;
        var endpoints = new Endpoint[array.Count];
        for (int i = 0; i < endpoints.Length; i++)
        {
            endpoints[i] = ReadEndpoint(array[i]);
        }

        return Array.AsReadOnly(endpoints);
    }

    public static long ReadInt64(BsonValue value, string what)
        => value.IsInt32 || value.IsInt64 ? value.AsInt64 : throw Corrupt(what, value);

    public static long? ReadOptionalInt64(BsonValue value, string what) => value.IsNull ? null : ReadInt64(value, what);

    public static bool ReadBoolean(BsonValue value, string what) => value.IsBoolean ? value.AsBoolean : throw Corrupt(what, value);

    public static string ReadString(BsonValue value, string what) => AsText(value, what);

    /// <summary>A field that every row has; its absence is damage.</summary>
    public static BsonValue Required(BsonDocument document, string field)
        => document.TryGetValue(field, out var value) ? value : throw Missing(document, field);

    /// <summary>A field of <paramref name="document"/> that every row has, already looked up (null: absent, which is damage).</summary>
    public static BsonValue Required(BsonValue? value, BsonDocument document, string field) => value ?? throw Missing(document, field);

    /// <summary>A field that may be absent (read as null, as the reflection mapper did).</summary>
    public static BsonValue Optional(BsonDocument document, string field)
        => document.TryGetValue(field, out var value) ? value : BsonValue.Null;

    private static string AsText(BsonValue value, string what)
        => value.IsString ? value.AsString : throw Corrupt(what, value);

    private static StoreException Missing(BsonDocument document, string field)
    {
        string id = document.TryGetValue(IdField, out var value)
            ? Convert.ToString(value.RawValue, CultureInfo.InvariantCulture) ?? "null"
            : "(none)";
        return new StoreException(
            $"The database has a row (_id {id}) without its '{field}' field. The file is damaged or was written by another program.");
    }

    public static StoreException Corrupt(string what, BsonValue value)
    {
        string shown = value.IsString ? value.AsString : value.ToString();
        string found = string.Create(CultureInfo.InvariantCulture, $"The database holds an invalid {what}: {value.Type} '{shown}'.");
        return new StoreException($"{found} The file is damaged or was written by another program.");
    }
}
