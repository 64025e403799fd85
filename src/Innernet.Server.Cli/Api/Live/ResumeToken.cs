using System.Globalization;

namespace Innernet.Server.Api.Live;

/// <summary>
/// The <c>version</c> of a live stream message: <c>&lt;epoch&gt;-&lt;sequence&gt;</c>. The epoch is random per
/// run of the server, so a token from an earlier run never matches (the client gets a full view); the sequence
/// numbers the feed's publications within the run. The epoch only has to differ between runs, it guards nothing, so
/// it comes from <see cref="Random.Shared"/> (seeded per process from the system's random source), not from
/// RandomNumberGenerator, which would load OpenSSL into the serving process for 8 bytes.
/// </summary>
internal static class ResumeToken
{
    private const char Separator = '-';
    private const int EpochBytes = 8;

    /// <summary>A new random epoch (16 hex digits).</summary>
    public static string NewEpoch()
    {
        Span<byte> epoch = stackalloc byte[EpochBytes];
        Random.Shared.NextBytes(epoch);
        return Convert.ToHexStringLower(epoch);
    }

    public static string Format(string epoch, long sequence)
        => string.Create(CultureInfo.InvariantCulture, $"{epoch}{Separator}{sequence}");

    /// <summary>The sequence of <paramref name="token"/> if it was issued in <paramref name="epoch"/>; otherwise null.</summary>
    public static long? Parse(string? token, string epoch)
    {
        if (token is null || token.Length > Core.Model.StateUpdate.MaxVersionLength
            || token.Length <= epoch.Length + 1
            || !token.StartsWith(epoch, StringComparison.Ordinal) || token[epoch.Length] != Separator)
        {
            return null;
        }

        return long.TryParse(token.AsSpan(epoch.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out long sequence)
            ? sequence
            : null;
    }
}
