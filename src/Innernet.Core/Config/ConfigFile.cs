using System.Text;
using Innernet.Core.IO;

namespace Innernet.Core.Config;

/// <summary>Shared read/write plumbing for the TOML config files.</summary>
internal static class ConfigFile
{
    /// <exception cref="ValidationException">The file is missing or unreadable (the message names it).</exception>
    public static string Read(string path, string what)
    {
        try
        {
            return File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ValidationException($"Cannot read the {what} '{path}': {e.Message}", e);
        }
    }

    public static void Write(string path, string text, bool createNew = false)
        => AtomicFile.Write(path, Encoding.UTF8.GetBytes(text), AtomicFile.PrivateFileMode, createNew);

    public static string? WorldAccessibleWarning(string path)
        => AtomicFile.IsWorldAccessible(path)
            ? $"'{path}' is world-accessible; it holds a private key. Run: chmod 600 '{path}'"
            : null;
}
