using System.IO;
using Innernet.Core.IO;

namespace Innernet.Core.Persistence;

/// <summary>
/// The database file and its LiteDB write-ahead log (<c>name-log.ext</c>, LiteDB's own naming), opened by us
/// rather than by LiteDB so that both are created 0600, tightened to 0600 when found laxer, and locked
/// exclusively (<see cref="FileShare.None"/> is an flock on Linux): a second process (or a second store in
/// this one) gets a clear error instead of two writers corrupting the file. LiteDB's own file mode takes
/// only a shared lock.
/// </summary>
internal sealed class DatabaseFiles : IDisposable
{
    /// <summary>rw------- (innernet's mode for files holding network secrets and state).</summary>
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly SyncedFileStream _data;
    private readonly SyncedFileStream _log;

    private DatabaseFiles(string path, SyncedFileStream data, SyncedFileStream log, UnixFileMode? tightenedFrom)
    {
        Path = path;
        _data = data;
        _log = log;
        TightenedFrom = tightenedFrom;
    }

    public string Path { get; }

    public Stream Data => _data;

    public Stream Log => _log;

    /// <summary>The database file's mode before it was tightened to 0600, or null if it was already strict.</summary>
    public UnixFileMode? TightenedFrom { get; }

    public static string LogPathFor(string path)
        => System.IO.Path.Combine(
            System.IO.Path.GetDirectoryName(path) ?? string.Empty,
            System.IO.Path.GetFileNameWithoutExtension(path) + "-log" + System.IO.Path.GetExtension(path));

    /// <summary>Creates a new, empty database file (0600); fails if it exists.</summary>
    /// <exception cref="StoreException">The file exists, or cannot be created.</exception>
    public static DatabaseFiles CreateNew(string path)
    {
        FileStream data;
        try
        {
            data = OpenFile(path, FileMode.CreateNew);
        }
        catch (IOException e) when (File.Exists(path))
        {
            throw new StoreException($"Cannot create the database '{path}': the file already exists.", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StoreException($"Cannot create the database '{path}': {e.Message}", e);
        }

        try
        {
            return Finish(path, data, tightenedFrom: null, discardLog: true);
        }
        catch
        {
            data.Dispose();
            File.Delete(path);
            throw;
        }
    }

    /// <summary>Opens an existing database file exclusively, tightening its mode to 0600 if laxer.</summary>
    /// <exception cref="StoreException">Missing, in use, unreadable or not a LiteDB file.</exception>
    public static DatabaseFiles OpenExisting(string path)
    {
        FileStream data;
        try
        {
            data = OpenFile(path, FileMode.Open);
        }
        catch (FileNotFoundException e)
        {
            throw new StoreException($"The database '{path}' does not exist (create it with 'innernet-server new').", e);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new StoreException($"The database '{path}' does not exist: its directory is missing.", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw InUseOrUnreadable(path, e);
        }

        try
        {
            var tightenedFrom = Tighten(data);
            CheckLiteDbHeader(path, data);
            return Finish(path, data, tightenedFrom, discardLog: false);
        }
        catch
        {
            data.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        // Still holding the data file's lock: drop the log if LiteDB checkpointed it to empty, so a clean
        // close leaves one file, as LiteDB's file mode does. A non-empty log is replayed at the next open.
        try
        {
            if (_log.Length == 0)
            {
                File.Delete(_log.Path);
            }
        }
        catch (IOException)
        {
            // Best effort: an empty log left behind is harmless.
        }
        finally
        {
            _log.Dispose();
            _data.Dispose();
        }
    }

    private static DatabaseFiles Finish(string path, FileStream data, UnixFileMode? tightenedFrom, bool discardLog)
    {
        string logPath = LogPathFor(path);
        FileStream log;
        try
        {
            log = OpenFile(logPath, FileMode.OpenOrCreate);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw InUseOrUnreadable(logPath, e);
        }

        try
        {
            Tighten(log);
            if (discardLog)
            {
                // A log left by an earlier database at this path must not be replayed into the new one.
                log.SetLength(0);
                log.Flush(flushToDisk: true);
            }

            // Either file may have just been created (the log is removed at every clean close): their names
            // must be on disk before a commit into them is acknowledged.
            AtomicFile.SyncDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path)) ?? ".");
        }
        catch (IOException e)
        {
            log.Dispose();
            throw new StoreException($"Cannot open the database '{path}': {e.Message}", e);
        }
        catch
        {
            log.Dispose();
            throw;
        }

        return new DatabaseFiles(path, new SyncedFileStream(data), new SyncedFileStream(log), tightenedFrom);
    }

    private static FileStream OpenFile(string path, FileMode mode)
        => new(path, new FileStreamOptions
        {
            Mode = mode,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            BufferSize = 0,
            Options = FileOptions.RandomAccess,
            UnixCreateMode = mode == FileMode.Open ? null : OwnerOnly,
        });

    private static UnixFileMode? Tighten(FileStream stream)
    {
        var mode = File.GetUnixFileMode(stream.SafeFileHandle);
        if ((mode & ~OwnerOnly) == 0)
        {
            return null;
        }

        try
        {
            File.SetUnixFileMode(stream.SafeFileHandle, mode & OwnerOnly);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StoreException($"Cannot restrict '{stream.Name}' to mode 0600: {e.Message}", e);
        }

        return mode;
    }

    /// <summary>
    /// Refuses anything but a LiteDB 5 file: LiteDB treats data shorter than a page as a new database and
    /// would overwrite it.
    /// </summary>
    /// <exception cref="StoreException">Not a LiteDB 5 file.</exception>
    public static void CheckLiteDbHeader(string source, Stream data)
    {
        Span<byte> header = stackalloc byte[LiteDbLayout.HeaderInfoOffset + LiteDbLayout.HeaderInfo.Length];
        bool isLiteDb = false;
        if (data.Length >= LiteDbLayout.PageSize)
        {
            long position = data.Position;
            data.Position = 0;
            data.ReadExactly(header);
            data.Position = position;
            isLiteDb = header[LiteDbLayout.HeaderInfoOffset..].SequenceEqual(LiteDbLayout.HeaderInfo);
        }

        if (!isLiteDb)
        {
            throw new StoreException($"'{source}' is not an innernet-server database (not a LiteDB 5 file).");
        }
    }

    private static StoreException InUseOrUnreadable(string path, Exception e)
        => e is IOException && File.Exists(path) && e is not FileNotFoundException
            ? new StoreException(
                $"Cannot open the database '{path}': {e.Message} Another innernet-server process (or another store in this " +
                "process) may have it open; only one may use a database at a time.",
                e)
            : new StoreException($"Cannot open the database '{path}': {e.Message}", e);
}
