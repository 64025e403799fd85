using System.Runtime.InteropServices;
using System.Text;
using static Tmds.Linux.LibC;

namespace Innernet.Core.IO;

/// <summary>
/// Crash-safe file replacement: write a temporary file in the same directory, fsync it, rename it over the
/// target and fsync the directory, so readers see the old or the new contents, never a torn file, and once
/// <see cref="Write"/> returns the new contents survive a power cut (the rename is in the directory, which
/// has to reach the disk as well).
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

        SyncDirectory(directory);
    }

    /// <summary>Creates <paramref name="directory"/> and its missing parents, each 0700; existing ones are left alone.</summary>
    /// <remarks>Each directory it creates is made durable in its parent before it returns.</remarks>
    public static void EnsurePrivateDirectory(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string full = Path.GetFullPath(directory);
        if (Directory.Exists(full))
        {
            return;
        }

        var missing = new List<string>();
        for (string? d = full; d is not null && !Directory.Exists(d); d = Path.GetDirectoryName(d))
        {
            missing.Add(d);
        }

        // Top down, each one 0700 (CreateDirectory applies the mode only to the last level it creates).
        missing.Reverse();
        foreach (string created in missing)
        {
            Directory.CreateDirectory(created, PrivateDirectoryMode);
            SyncDirectory(Path.GetDirectoryName(created) ?? created);
        }
    }

    /// <summary>
    /// fsync of <paramref name="directory"/> itself: makes the names created, renamed or removed in it durable
    /// (a file's own fsync does not cover its directory entry). A file system that cannot sync a directory
    /// (EINVAL) is accepted as is.
    /// </summary>
    /// <exception cref="IOException">The directory cannot be opened or synced.</exception>
    public static unsafe void SyncDirectory(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        byte[] path = Encoding.UTF8.GetBytes(directory + "\0");
        int fd;
        fixed (byte* p = path)
        {
            fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
        }

        if (fd < 0)
        {
            throw new IOException(
                $"Cannot open the directory '{directory}' to sync it: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        }

        try
        {
            if (fsync(fd) != 0 && Marshal.GetLastPInvokeError() is int errno && errno != EINVAL)
            {
                throw new IOException($"Cannot sync the directory '{directory}': {Marshal.GetPInvokeErrorMessage(errno)}");
            }
        }
        finally
        {
            _ = close(fd);
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
