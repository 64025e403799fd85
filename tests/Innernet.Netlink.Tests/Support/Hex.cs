using System.Text;
using System.Text.RegularExpressions;

namespace Innernet.Netlink.Tests.Support;

/// <summary>
/// Annotated hex: hex digits and whitespace, with annotations in square brackets that are ignored,
/// e.g. <c>"24000000 [len=36] 1000 [type=GENL_ID_CTRL]"</c>.
/// </summary>
internal static partial class Hex
{
    public static byte[] Parse(string annotated)
    {
        string digits = Annotation().Replace(annotated, string.Empty);
        var clean = new StringBuilder();
        foreach (char c in digits)
        {
            if (!char.IsWhiteSpace(c))
            {
                clean.Append(c);
            }
        }

        return Convert.FromHexString(clean.ToString());
    }

    /// <summary>Lowercase hex, 16 bytes per line with offsets, for readable assertion diffs.</summary>
    public static string Dump(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < bytes.Length; i += 16)
        {
            sb.Append(i.ToString("x4")).Append(' ');
            sb.AppendJoin(' ', bytes[i..Math.Min(i + 16, bytes.Length)].ToArray().Select(b => b.ToString("x2")));
            sb.Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>Asserts byte equality, comparing hex dumps so a failure shows where the bytes differ.</summary>
    public static void Equal(string expectedAnnotated, ReadOnlySpan<byte> actual) =>
        Assert.Equal(Dump(Parse(expectedAnnotated)), Dump(actual));

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Annotation();
}
