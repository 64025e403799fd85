using System.Text.Json;
using System.Text.Json.Serialization;

namespace Innernet.Core.Contracts;

/// <summary>
/// serde's encoding of Rust's <c>SystemTime</c>: <c>{"secs_since_epoch": u64, "nanos_since_epoch": u32}</c>.
/// .NET keeps 100 ns ticks, so nanoseconds are truncated to a multiple of 100.
/// </summary>
internal sealed class SystemTimeJsonConverter : JsonConverter<DateTimeOffset>
{
    private const string SecondsName = "secs_since_epoch";
    private const string NanosName = "nanos_since_epoch";
    private const long NanosPerTick = 100;
    private const uint NanosPerSecond = 1_000_000_000;

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"Expected a time as {{\"{SecondsName}\": …, \"{NanosName}\": …}}, found {reader.TokenType}.");
        }

        ulong? seconds = null;
        uint? nanos = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            string? name = reader.GetString();
            reader.Read();
            if (name == SecondsName)
            {
                seconds = reader.TokenType == JsonTokenType.Number && reader.TryGetUInt64(out ulong s)
                    ? s
                    : throw new JsonException($"'{SecondsName}' must be a non-negative integer.");
            }
            else if (name == NanosName)
            {
                nanos = reader.TokenType == JsonTokenType.Number && reader.TryGetUInt32(out uint n) && n < NanosPerSecond
                    ? n
                    : throw new JsonException($"'{NanosName}' must be an integer below {NanosPerSecond}.");
            }
            else
            {
                reader.Skip();
            }
        }

        if (seconds is null || nanos is null)
        {
            throw new JsonException($"A time needs both '{SecondsName}' and '{NanosName}'.");
        }

        long maxSeconds = (long)(DateTimeOffset.MaxValue - DateTimeOffset.UnixEpoch).TotalSeconds;
        if (seconds.Value >= (ulong)maxSeconds)
        {
            throw new JsonException($"'{SecondsName}' {seconds} is beyond the year 9999.");
        }

        return DateTimeOffset.UnixEpoch.AddTicks(((long)seconds.Value * TimeSpan.TicksPerSecond) + (nanos.Value / NanosPerTick));
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        long ticks = (value - DateTimeOffset.UnixEpoch).Ticks;
        if (ticks < 0)
        {
            throw new JsonException($"Time {value:O} is before the Unix epoch and cannot be written as a SystemTime.");
        }

        writer.WriteStartObject();
        writer.WriteNumber(SecondsName, ticks / TimeSpan.TicksPerSecond);
        writer.WriteNumber(NanosName, ticks % TimeSpan.TicksPerSecond * NanosPerTick);
        writer.WriteEndObject();
    }
}
