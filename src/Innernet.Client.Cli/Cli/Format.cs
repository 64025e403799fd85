using System.Globalization;

namespace Innernet.Client.Cli;

/// <summary>Human-readable sizes and ages as innernet's <c>show</c> prints them.</summary>
internal static class Format
{
    private const double Unit = 1024;
    private const int ShortKeyLength = 10;
    private static readonly string[] Units = ["B", "KiB", "MiB", "GiB", "TiB"];

    /// <summary>1536 → "1.50 KiB"; below 1 KiB whole bytes ("512 B").</summary>
    public static string Bytes(ulong bytes)
    {
        double value = bytes;
        int unit = 0;
        while (value >= Unit && unit < Units.Length - 1)
        {
            value /= Unit;
            unit++;
        }

        return unit == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes} B")
            : string.Create(CultureInfo.InvariantCulture, $"{value:0.00} {Units[unit]}");
    }

    /// <summary>"just now", "1 second ago", "N seconds ago", "N minutes ago", "N hours ago", "N days ago".</summary>
    public static string Ago(TimeSpan age)
    {
        if (age < TimeSpan.FromSeconds(1))
        {
            return "just now";
        }

        (long n, string unit) = age switch
        {
            { TotalMinutes: < 1 } => ((long)age.TotalSeconds, "second"),
            { TotalHours: < 1 } => ((long)age.TotalMinutes, "minute"),
            { TotalDays: < 1 } => ((long)age.TotalHours, "hour"),
            _ => ((long)age.TotalDays, "day"),
        };
        return string.Create(CultureInfo.InvariantCulture, $"{n} {unit}{(n == 1 ? "" : "s")} ago");
    }

    /// <summary>A key cut to 10 characters plus "…", or in full with <c>-v</c>.</summary>
    public static string Key(string base64, int verbosity) => verbosity > 0 ? base64 : base64[..ShortKeyLength] + "…";
}
