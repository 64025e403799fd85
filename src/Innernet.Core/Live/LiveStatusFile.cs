using System.Diagnostics;
using System.Text.Json;
using Innernet.Core.IO;

namespace Innernet.Core.Live;

/// <summary>
/// <c>&lt;data-dir&gt;/&lt;iface&gt;.live</c>: the daemon's <see cref="LiveStatus"/> for a network, JSON, written
/// atomically with mode 0600 on every change of mode and at most with each flush of the cache. A reader trusts it
/// only while the process it names is alive, so a crashed daemon reads as "not running".
/// </summary>
public static class LiveStatusFile
{
    private const string Extension = ".live";

    /// <summary>The file of <paramref name="interfaceName"/>.</summary>
    public static string PathFor(string dataDirectory, string interfaceName)
        => Path.Combine(dataDirectory, interfaceName + Extension);

    /// <summary>Writes the status (atomically, 0600).</summary>
    /// <exception cref="IOException">The file could not be written.</exception>
    public static void Write(string path, LiveStatus status)
        => AtomicFile.Write(
            path, JsonSerializer.SerializeToUtf8Bytes(status, LiveStatusJsonContext.Default.LiveStatus), AtomicFile.PrivateFileMode);

    /// <summary>
    /// The status when the file exists, parses and names a running process; null otherwise (no daemon, a daemon
    /// that died, a corrupt file).
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="isAlive">Whether a pid is a running process; default: <c>/proc/&lt;pid&gt;</c> exists.</param>
    public static LiveStatus? ReadRunning(string path, Func<int, bool>? isAlive = null)
    {
        LiveStatus? status;
        try
        {
            status = JsonSerializer.Deserialize(File.ReadAllBytes(path), LiveStatusJsonContext.Default.LiveStatus);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }

        return status is not null && (isAlive ?? IsAlive)(status.Pid) ? status : null;
    }

    /// <summary>Deletes the file (the daemon stopping); a missing file is fine.</summary>
    public static void Delete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
            // No data directory yet (the daemon stopped before it wrote anything): nothing to delete.
        }
    }

    /// <summary>This process's id.</summary>
    public static int CurrentPid => Environment.ProcessId;

    private static bool IsAlive(int pid) => pid > 0 && Directory.Exists($"/proc/{pid}");
}
