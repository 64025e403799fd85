using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace WgSharp;

/// <summary>
/// The text forms wg prints: addresses as glibc's <c>inet_ntop</c> writes them, endpoints as <c>getnameinfo</c>
/// with numeric host and service, durations and byte counts as in <c>wg show</c>.
/// </summary>
internal static class WgText
{
    private const int Minute = 60;
    private const int Hour = 60 * Minute;
    private const int Day = 24 * Hour;
    private const int Year = 365 * Day;

    private static readonly string[] ByteUnits = ["KiB", "MiB", "GiB", "TiB"];

    /// <summary>An address as <c>inet_ntop</c> writes it (IPv6: lowercase, longest zero run of two or more words as
    /// <c>::</c>, the first on a tie, and the last 32 bits dotted for IPv4-compatible and IPv4-mapped addresses).</summary>
    public static string Address(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.AddressFamily == AddressFamily.InterNetworkV6 ? Ipv6(address) : address.ToString();
    }

    /// <summary>An allowed IP as <c>address/prefix</c>; <paramref name="slash"/> is what stands between the two.</summary>
    public static string AllowedIP(IPNetwork network, string slash = "/") =>
        Address(network.BaseAddress) + slash + network.PrefixLength.ToString(CultureInfo.InvariantCulture);

    /// <summary>An endpoint: <c>1.2.3.4:51820</c> or <c>[2001:db8::1]:51820</c>.</summary>
    public static string Endpoint(IPEndPoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        string port = endpoint.Port.ToString(CultureInfo.InvariantCulture);
        if (endpoint.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return Address(endpoint.Address) + ":" + port;
        }

        // getnameinfo appends the scope; this tool prints its number (glibc names link-local scopes by interface).
        string scope = endpoint.Address.ScopeId != 0 ? "%" + endpoint.Address.ScopeId.ToString(CultureInfo.InvariantCulture) : "";
        return "[" + Address(endpoint.Address) + scope + "]:" + port;
    }

    /// <summary>
    /// A duration as <c>wg show</c> spells it: years (of 365 days), days, hours, minutes and seconds, each only when not
    /// zero, separated by <c>", "</c>, the unit in cyan; an empty string for zero.
    /// </summary>
    public static string Duration(ulong seconds, Terminal terminal)
    {
        ArgumentNullException.ThrowIfNull(terminal);
        var text = new StringBuilder();
        ulong left = seconds;
        Part(text, left / Year, "year", terminal);
        left %= Year;
        Part(text, left / Day, "day", terminal);
        left %= Day;
        Part(text, left / Hour, "hour", terminal);
        left %= Hour;
        Part(text, left / Minute, "minute", terminal);
        Part(text, left % Minute, "second", terminal);
        return text.ToString();
    }

    /// <summary>How long ago <paramref name="then"/> was, at <paramref name="now"/> (both Unix seconds).</summary>
    public static string Ago(long then, long now, Terminal terminal)
    {
        ArgumentNullException.ThrowIfNull(terminal);
        if (now == then)
        {
            return "Now";
        }

        return now < then
            ? "(" + terminal.Red + "System clock wound backward; connection problems may ensue." + terminal.Reset + ")"
            : Duration((ulong)(now - then), terminal) + " ago";
    }

    /// <summary>A byte count: whole bytes below 1 KiB, else two decimals of the largest binary unit up to TiB.</summary>
    public static string Bytes(ulong bytes, Terminal terminal)
    {
        ArgumentNullException.ThrowIfNull(terminal);
        if (bytes < 1024)
        {
            return bytes.ToString(CultureInfo.InvariantCulture) + " " + terminal.Cyan + "B" + terminal.Reset;
        }

        double value = bytes;
        int unit = -1;
        do
        {
            value /= 1024;
            unit++;
        }
        while (value >= 1024 && unit < ByteUnits.Length - 1);

        return value.ToString("F2", CultureInfo.InvariantCulture) + " " + terminal.Cyan + ByteUnits[unit] + terminal.Reset;
    }

    private static void Part(StringBuilder text, ulong count, string unit, Terminal terminal)
    {
        if (count == 0)
        {
            return;
        }

        if (text.Length > 0)
        {
            text.Append(", ");
        }

        text.Append(count.ToString(CultureInfo.InvariantCulture)).Append(' ')
            .Append(terminal.Cyan).Append(unit).Append(count == 1 ? "" : "s").Append(terminal.Reset);
    }

    private static string Ipv6(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        _ = address.TryWriteBytes(bytes, out _);
        Span<int> words = stackalloc int[8];
        for (int i = 0; i < 8; i++)
        {
            words[i] = (bytes[2 * i] << 8) | bytes[(2 * i) + 1];
        }

        (int runStart, int runLength) = LongestZeroRun(words);
        var text = new StringBuilder(39);
        for (int i = 0; i < 8; i++)
        {
            if (runStart >= 0 && i >= runStart && i < runStart + runLength)
            {
                if (i == runStart)
                {
                    text.Append(':');
                }

                continue;
            }

            if (i != 0)
            {
                text.Append(':');
            }

            if (i == 6 && runStart == 0 && (runLength == 6 || (runLength == 5 && words[5] == 0xffff)))
            {
                text.Append(CultureInfo.InvariantCulture, $"{bytes[12]}.{bytes[13]}.{bytes[14]}.{bytes[15]}");
                return text.ToString();
            }

            text.Append(words[i].ToString("x", CultureInfo.InvariantCulture));
        }

        if (runStart >= 0 && runStart + runLength == 8)
        {
            text.Append(':');
        }

        return text.ToString();
    }

    /// <summary>The first longest run of zero words; (-1, 0) when no run is at least two words long.</summary>
    private static (int Start, int Length) LongestZeroRun(ReadOnlySpan<int> words)
    {
        int bestStart = -1, bestLength = 0, start = -1;
        for (int i = 0; i <= words.Length; i++)
        {
            if (i < words.Length && words[i] == 0)
            {
                if (start < 0)
                {
                    start = i;
                }

                continue;
            }

            if (start >= 0 && i - start > bestLength)
            {
                (bestStart, bestLength) = (start, i - start);
            }

            start = -1;
        }

        return bestLength >= 2 ? (bestStart, bestLength) : (-1, 0);
    }
}
