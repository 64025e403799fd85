namespace Innernet.Core.IO;

/// <summary>
/// Crash-safe file replacement: write a temporary file in the same directory, fsync it, then rename it over
/// the target, so readers see the old or the new contents, never a torn file.
/// </summary>
public static class AtomicFile
{
    /// <summary>Owner read/write only (0600): every file holding keys or peer data.</summary>
    public const UnixFileMode PrivateFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Owner-only directory (0700).</summary>
    public const UnixFileMode PrivateDirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>
    /// Writes <paramref name="contents"/> to <paramref name="path"/> atomically with exactly
    /// <paramref name="mode"/>. A missing directory is created with 0700.
    /// </summary>
    /// <param name="path">The target file.</param>
    /// <param name="contents">The new contents.</param>
    /// <param name="mode">The target's permissions.</param>
    /// <param name="createNew">Fail with <see cref="IOException"/> when the target already exists.</param>
    /// <exception cref="IOException">The write failed, or <paramref name="createNew"/> and the file exists.</exception>
    /// <exception cref="UnauthorizedAccessException">No permission to write in the directory.</exception>
    public static void Write(string path, ReadOnlySpan<byte> contents, UnixFileMode mode = PrivateFileMode, bool createNew = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string fullPath = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(fullPath) ?? throw new IOException($"'{path}' has no directory.");
        EnsurePrivateDirectory(directory);
        if (createNew && File.Exists(fullPath))
        {
            throw new IOException($"'{fullPath}' already exists; refusing to overwrite it.");
        }

        string temp = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                UnixCreateMode = mode,
            };
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(contents);
                stream.Flush(flushToDisk: true);
            }

            // The create mode is filtered by the umask; set the exact mode before the file becomes visible.
            File.SetUnixFileMode(temp, mode);
            File.Move(temp, fullPath, overwrite: !createNew);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Creates <paramref name="directory"/> (and parents) with 0700 when missing; an existing one is left alone.</summary>
    public static void EnsurePrivateDirectory(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory, PrivateDirectoryMode);
        }
    }

    /// <summary>True when others (not owner, not group) may read, write or enter the file.</summary>
    public static bool IsWorldAccessible(string path)
        => (File.GetUnixFileMode(path) & (UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute)) != 0;

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
