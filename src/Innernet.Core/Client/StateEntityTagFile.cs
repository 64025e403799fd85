using System.Text;
using Innernet.Core.Api;
using Innernet.Core.IO;

namespace Innernet.Core.Client;

/// <summary>
/// <c>&lt;data-dir&gt;/&lt;iface&gt;.etag</c>: the <c>ETag</c> of the last state answer applied, and the
/// <see cref="DataStore.ContentHash"/> of the peer cache written from it, one per line. A separate file keeps the
/// cache byte-compatible with innernet, and the hash binds the tag to exactly that cache: if the cache is moved away,
/// rebuilt, or rewritten by innernet, the tag no longer applies and the next fetch is a plain GET. Anything
/// unexpected in the file (missing, unreadable, malformed, a tag that is not a quoted entity tag) also just means a
/// plain GET; the file is replaced after the next 200. Written atomically, mode 0600.
/// </summary>
public static class StateEntityTagFile
{
    private const int HashLength = 64;

    /// <summary>
    /// The stored tag when the file is well-formed and was written for the cache <paramref name="store"/> holds now
    /// (and that cache has peers); null otherwise.
    /// </summary>
    public static string? Read(string path, DataStore store)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(store);
        if (store.ContentHash is not { } cacheHash || store.Peers.Count == 0)
        {
            return null;
        }

        string text;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists || info.Length > HashLength + EntityTag.MaxLength + 2)
            {
                return null;
            }

            text = File.ReadAllText(path, Encoding.ASCII);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        string[] lines = text.Split('\n');
        if (lines.Length != 3 || lines[2].Length != 0 || lines[0] != cacheHash || !EntityTag.IsValid(lines[1]))
        {
            return null;
        }

        return lines[1];
    }

    /// <summary>Stores <paramref name="entityTag"/> for the cache as <paramref name="store"/> last wrote it.</summary>
    /// <exception cref="ArgumentException">The tag is not a quoted entity tag, or the cache was never written.</exception>
    public static void Write(string path, DataStore store, string entityTag)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(store);
        if (!EntityTag.IsValid(entityTag))
        {
            throw new ArgumentException("Not a quoted entity tag.", nameof(entityTag));
        }

        string hash = store.ContentHash ?? throw new ArgumentException("The peer cache has no file yet.", nameof(store));
        AtomicFile.Write(path, Encoding.ASCII.GetBytes($"{hash}\n{entityTag}\n"), AtomicFile.PrivateFileMode);
    }

    /// <summary>Removes the file (the server sent no tag); a missing file is fine.</summary>
    public static void Delete(string path) => File.Delete(path);
}
