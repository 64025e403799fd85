namespace Innernet.Core.Persistence;

/// <summary>The few facts about LiteDB 5's on-disk page layout the store relies on (LiteDB's BasePage and HeaderPage constants).</summary>
internal static class LiteDbLayout
{
    /// <summary>Every data and log page is this long and written with one call.</summary>
    public const int PageSize = 8192;

    /// <summary>Offset of the "confirmed" byte in a page header: set on the last log page of a committed transaction.</summary>
    public const int ConfirmedFlagOffset = 18;

    /// <summary>Offset of <see cref="HeaderInfo"/> in page 0 of a data file.</summary>
    public const int HeaderInfoOffset = 32;

    /// <summary>The text every LiteDB 5 data file carries in its first page.</summary>
    public static ReadOnlySpan<byte> HeaderInfo => "** This is a LiteDB file **"u8;
}
