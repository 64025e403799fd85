using System.Globalization;
using Innernet.Core.Model;
using Innernet.Netlink.WireGuard;
using LiteDB;

namespace Innernet.Core.Persistence;

/// <summary>
/// The one place where .NET types get their BSON form. Every value is stored in the text form innernet's
/// SQLite schema uses, so a database dump reads like innernet's: addresses and ranges as text, keys in
/// base64, endpoints as <c>host:port</c>, times as whole unix seconds (innernet stores seconds).
/// </summary>
internal static class StoreMapper
{
    /// <summary>A fresh mapper (never <see cref="BsonMapper.Global"/>, which other code may change).</summary>
    public static BsonMapper Create()
    {
        var mapper = new BsonMapper
        {
            // Keep strings exactly as given; the store validates them itself.
            TrimWhitespace = false,
            EmptyStringToNull = false,
            SerializeNullValues = true,
        };

        mapper.RegisterType<IPAddress>(
            serialize: address => new BsonValue(address.ToString()),
            deserialize: value => ParseOrThrow(value, "IP address", static text => IPAddress.TryParse(text, out var a) ? a : null));

        mapper.RegisterType<IPNetwork>(
            serialize: network => new BsonValue(network.ToString()),
            deserialize: value =>
            {
                // The stored text is what ToString wrote; anything else (host bits set, garbage) is damage.
                string text = AsText(value, "IP network");
                return IPNetwork.TryParse(text, out var network) && network.ToString() == text
                    ? network
                    : throw Corrupt("IP network", value);
            });

        mapper.RegisterType<WireGuardKey>(
            serialize: key => new BsonValue(key.ToBase64()),
            deserialize: value => WireGuardKey.TryParse(AsText(value, "WireGuard key"), out var key)
                ? key
                : throw Corrupt("WireGuard key", value));

        mapper.RegisterType<Endpoint>(
            serialize: endpoint => new BsonValue(endpoint.ToString()),
            deserialize: value => ParseOrThrow(value, "endpoint", static text => Endpoint.TryParse(text, out var e) ? e : null));

        mapper.RegisterType<DateTimeOffset>(
            serialize: time => new BsonValue(time.ToUnixTimeSeconds()),
            deserialize: value => value.IsNumber
                ? DateTimeOffset.FromUnixTimeSeconds(value.AsInt64)
                : throw Corrupt("time", value));

        return mapper;
    }

    /// <summary>Whole seconds in UTC: the precision the database keeps (as innernet's).</summary>
    public static DateTimeOffset? ToStoredPrecision(DateTimeOffset? time)
        => time is { } t ? DateTimeOffset.FromUnixTimeSeconds(t.ToUnixTimeSeconds()) : null;

    private static T ParseOrThrow<T>(BsonValue value, string what, Func<string, T?> parse)
        where T : class
        => parse(AsText(value, what)) ?? throw Corrupt(what, value);

    private static string AsText(BsonValue value, string what)
        => value.IsString ? value.AsString : throw Corrupt(what, value);

    private static StoreException Corrupt(string what, BsonValue value)
    {
        string shown = value.IsString ? value.AsString : value.ToString();
        string found = string.Create(CultureInfo.InvariantCulture, $"The database holds an invalid {what}: {value.Type} '{shown}'.");
        return new StoreException($"{found} The file is damaged or was written by another program.");
    }
}
