using System.IO;
using Innernet.Core.IO;

namespace Innernet.Core.Persistence;

/// <summary>
/// The database file and its LiteDB write-ahead log (<c>name-log.ext</c>, LiteDB's own naming), opened by us
/// rather than by LiteDB so that both are created 0600, tightened to 0600 when found laxer, and locked
/// exclusively (<see cref="FileShare.None"/> is an flock on Linux): a second process (or a second store in
/// this one) gets a clear error instead of two writers corrupting the file. LiteDB's own file mode takes
/// only a shared lock. A reader (<see cref="OpenReadOnly"/>) opens both read-only under a shared lock instead: readers
/// exclude a writer and a writer excludes them, and nothing a reader does can change either file.
/// </summary>
internal sealed class DatabaseFiles : IDisposable
{
    /// <summary>rw------- (innernet's mode for files holding network secrets and state).</summary>
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly Stream _data;
    private readonly Stream? _log;

    /// <summary>The writer's log, removed at close when a checkpoint left it empty; null for a reader.</summary>
    private readonly SyncedFileStream? _writerLog;

    private DatabaseFiles(string path, Stream data, Stream? log, UnixFileMode? tightenedFrom)
    {
        Path = path;
        _data = data;
        _log = log;
        _writerLog = log as SyncedFileStream;
        TightenedFrom = tightenedFrom;
    }

    public string Path { get; }

    public Stream Data => _data;

    /// <summary>The write-ahead log; null only for a reader of a database that has none (it was closed cleanly).</summary>
    public Stream? Log => _log;

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
        var data = OpenExistingData(path, FileAccess.ReadWrite);
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

    /// <summary>
    /// Opens an existing database file and its log (when there is one) read-only, under a shared lock: never written,
    /// truncated, created or removed; only a mode laxer than 0600 is tightened, as by every open. Each stream shows whole
    /// pages only: a page torn by a crash at the end of the log is left out, as LiteDB would cut it off.
    /// </summary>
    /// <exception cref="StoreException">Missing, in use by a writer, unreadable or not a LiteDB file.</exception>
    public static DatabaseFiles OpenReadOnly(string path)
    {
        var data = OpenExistingData(path, FileAccess.Read);
        FileStream? log = null;
        try
        {
            var tightenedFrom = Tighten(data);
            CheckLiteDbHeader(path, data);
            string logPath = LogPathFor(path);
            try
            {
                log = OpenFile(logPath, FileMode.Open, FileAccess.Read);
            }
            catch (FileNotFoundException)
            {
                // Closed cleanly: everything is in the data file.
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw InUseOrUnreadable(logPath, e);
            }

            if (log is not null)
            {
                Tighten(log);
            }

            return new DatabaseFiles(
                path, new WholePagesReadOnlyStream(data), log is null ? null : new WholePagesReadOnlyStream(log), tightenedFrom);
        }
        catch
        {
            log?.Dispose();
            data.Dispose();
            throw;
        }
    }

    private static FileStream OpenExistingData(string path, FileAccess access)
    {
        try
        {
            return OpenFile(path, FileMode.Open, access);
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
    }

    public void Dispose()
    {
        // A writer, still holding the data file's lock: drop the log if LiteDB checkpointed it to empty, so a clean
        // close leaves one file, as LiteDB's file mode does. A non-empty log is replayed at the next open.
        try
        {
            if (_writerLog is { Length: 0 })
            {
                File.Delete(_writerLog.Path);
            }
        }
        catch (IOException)
        {
            // Best effort: an empty log left behind is harmless.
        }
        finally
        {
            _log?.Dispose();
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

    // FileShare.None is an exclusive flock on Linux, FileShare.Read a shared one; both refuse to wait for the other.
    private static FileStream OpenFile(string path, FileMode mode, FileAccess access = FileAccess.ReadWrite)
        => new(path, new FileStreamOptions
        {
            Mode = mode,
            Access = access,
            Share = access == FileAccess.Read ? FileShare.Read : FileShare.None,
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
