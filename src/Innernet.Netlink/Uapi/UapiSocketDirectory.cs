using System.IO;
using System.Text;

namespace Innernet.Netlink.Uapi;

/// <summary>
/// The UAPI socket directory and the device naming conventions in it:
/// <list type="bullet">
/// <item>Linux: device <c>wg0</c> ↔ socket <c>wg0.sock</c>; devices are the <c>*.sock</c> files.</item>
/// <item>macOS (wg-quick darwin, innernet): device <c>wg0</c> ↔ name file <c>wg0.name</c> holding the
/// real <c>utunN</c> name ↔ socket <c>utunN.sock</c>. The name file is trusted only when the socket
/// exists and the two mtimes differ by less than 2 s (otherwise it is left over from an earlier
/// daemon). A name without a name file falls back to <c>&lt;name&gt;.sock</c>, so <c>utun6</c> works
/// directly, as with <c>wg show utun6</c>.</item>
/// </list>
/// </summary>
internal sealed class UapiSocketDirectory
{
    /// <summary>Suffix of a UAPI socket file.</summary>
    public const string SocketSuffix = ".sock";

    /// <summary>Suffix of a macOS name file (<c>WG_TUN_NAME_FILE</c>).</summary>
    public const string NameSuffix = ".name";

    /// <summary>Where <c>wg(8)</c> looks first (its <c>RUNSTATEDIR</c>).</summary>
    public const string VarRunPath = "/var/run/wireguard";

    /// <summary>Where to look when <see cref="VarRunPath"/> does not exist.</summary>
    public const string RunPath = "/run/wireguard";

    /// <summary>The largest mtime difference between a name file and its socket (wg-quick darwin).</summary>
    public static readonly TimeSpan NameFileMaxSkew = TimeSpan.FromSeconds(2);

    /// <summary>A name file holds an interface name and a newline; anything longer is not one.</summary>
    private const int MaxNameFileBytes = 64;

    public UapiSocketDirectory(string path, UserspacePlatform platform)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = path;
        Platform = platform;
    }

    /// <summary>The directory.</summary>
    public string Path { get; }

    /// <summary>The naming convention in effect.</summary>
    public UserspacePlatform Platform { get; }

    /// <summary><see cref="VarRunPath"/> if it exists, else <see cref="RunPath"/> (as innernet does).</summary>
    public static string DefaultPath() => Directory.Exists(VarRunPath) ? VarRunPath : RunPath;

    /// <summary>The socket file of a real interface name.</summary>
    public string SocketPath(string realName) => System.IO.Path.Combine(Path, realName + SocketSuffix);

    /// <summary>The name file of a device (macOS convention).</summary>
    public string NameFilePath(string name) => System.IO.Path.Combine(Path, name + NameSuffix);

    /// <summary>
    /// The socket path of device <paramref name="name"/>, or null when no socket file exists for it
    /// (on macOS also when its name file is stale or unreadable).
    /// </summary>
    public string? ResolveSocketPath(string name) => ResolveRealName(name) is { } real ? SocketPath(real) : null;

    /// <summary>The real interface name behind <paramref name="name"/> whose socket file exists, or null.</summary>
    public string? ResolveRealName(string name)
    {
        if (Platform == UserspacePlatform.MacOS && File.Exists(NameFilePath(name)))
        {
            return ResolveNameFile(name);
        }

        return File.Exists(SocketPath(name)) ? name : null;
    }

    /// <summary>
    /// Device names that may exist, unchecked: on Linux the <c>*.sock</c> files, on macOS the
    /// <c>*.name</c> files. Names that are not valid interface names are skipped. Sorted ordinally.
    /// </summary>
    public IReadOnlyList<string> CandidateNames()
    {
        if (!Directory.Exists(Path))
        {
            return [];
        }

        string suffix = Platform == UserspacePlatform.MacOS ? NameSuffix : SocketSuffix;
        var names = new List<string>();
        try
        {
            foreach (var file in Directory.EnumerateFiles(Path, "*" + suffix))
            {
                string fileName = System.IO.Path.GetFileName(file);
                if (!fileName.EndsWith(suffix, StringComparison.Ordinal))
                {
                    continue;
                }

                string name = fileName[..^suffix.Length];
                if (InterfaceName.IsValid(name))
                {
                    names.Add(name);
                }
            }
        }
        catch (DirectoryNotFoundException)
        {
            return [];
        }

        names.Sort(StringComparer.Ordinal);
        return names;
    }

    private string? ResolveNameFile(string name)
    {
        string nameFile = NameFilePath(name);
        string? real = ReadNameFile(nameFile);
        if (real is null)
        {
            return null;
        }

        string socket = SocketPath(real);
        if (!File.Exists(socket))
        {
            return null;
        }

        try
        {
            var skew = File.GetLastWriteTimeUtc(socket) - File.GetLastWriteTimeUtc(nameFile);
            return skew.Duration() < NameFileMaxSkew ? real : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Reads a name file: one valid interface name, optionally followed by a newline.</summary>
    private static string? ReadNameFile(string nameFile)
    {
        Span<byte> buffer = stackalloc byte[MaxNameFileBytes + 1];
        int length;
        try
        {
            using var stream = new FileStream(nameFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            length = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        if (length > MaxNameFileBytes)
        {
            return null;
        }

        var content = buffer[..length];
        if (content.EndsWith((byte)'\n'))
        {
            content = content[..^1];
        }

        if (content.IndexOfAnyExceptInRange((byte)'!', (byte)'~') >= 0)
        {
            return null;
        }

        string real = Encoding.ASCII.GetString(content);
        return InterfaceName.IsValid(real) ? real : null;
    }
}
