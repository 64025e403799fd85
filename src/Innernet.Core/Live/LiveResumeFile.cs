using System.Text;
using Innernet.Core.Api;
using Innernet.Core.Fetch;
using Innernet.Core.IO;

namespace Innernet.Core.Live;

/// <summary>
/// <see cref="ClientPaths.ResumeFile"/>: the version of the state stream a daemon held, one line of printable ASCII,
/// written atomically with mode 0600 with each write of the cache. The next daemon builds its view from its first
/// fetch and opens the stream with this version as <c>since</c>: the server's difference since then, applied to the
/// newer fetched state, gives the current view (a difference carries the latest record of everything changed since).
/// </summary>
public static class LiveResumeFile
{
    /// <summary>The version kept in <paramref name="path"/>, or null (no file, unreadable, not a valid token).</summary>
    public static string? Read(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path, Encoding.ASCII).TrimEnd('\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return StateStreamReader.VersionProblem(text) is null ? text : null;
    }

    /// <summary>Keeps <paramref name="version"/> (atomically, 0600).</summary>
    /// <exception cref="IOException">The file could not be written.</exception>
    public static void Write(string path, string version)
        => AtomicFile.Write(path, Encoding.ASCII.GetBytes(version + "\n"), AtomicFile.PrivateFileMode);
}
