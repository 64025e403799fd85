using System.Text;
using Innernet.Testing.Fuzzing;

namespace Innernet.Fuzz;

/// <summary>How the product turns file bytes into text, so a target sees what the real reader would.</summary>
internal static class FuzzInput
{
    /// <summary>As <see cref="File.ReadAllText(string)"/>: UTF-8 unless a byte-order mark says otherwise, invalid bytes replaced.</summary>
    public static string FileText(byte[] bytes)
    {
        using var reader = new StreamReader(new MemoryStream(bytes), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    public static FuzzPropertyException Broken(string property) => new($"property broken: {property}");

    /// <summary>A reader that never throws found nothing it would use: the documented "rejected" outcome of its target.</summary>
    public sealed class ReadAsNone : Exception
    {
        public ReadAsNone()
            : base("read as none")
        {
        }
    }
}
