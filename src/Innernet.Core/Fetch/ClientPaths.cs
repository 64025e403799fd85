namespace Innernet.Core.Fetch;

/// <summary>The client's files for one interface: its config under /etc/innernet, its peer cache under /var/lib/innernet.</summary>
public static class ClientPaths
{
    /// <summary>innernet's default config directory.</summary>
    public const string DefaultConfigDirectory = "/etc/innernet";

    /// <summary>innernet's default data directory.</summary>
    public const string DefaultDataDirectory = "/var/lib/innernet";

    private const string ConfigExtension = ".conf";
    private const string DataExtension = ".json";
    private const string EntityTagExtension = ".etag";
    private const string ResumeExtension = ".resume";
    private const string ReplicasExtension = ".replicas";

    /// <summary><c>&lt;config-dir&gt;/&lt;iface&gt;.conf</c>.</summary>
    public static string ConfigFile(string configDirectory, string interfaceName)
        => Path.Combine(configDirectory, interfaceName + ConfigExtension);

    /// <summary><c>&lt;data-dir&gt;/&lt;iface&gt;.json</c> (the peer cache).</summary>
    public static string DataFile(string dataDirectory, string interfaceName)
        => Path.Combine(dataDirectory, interfaceName + DataExtension);

    /// <summary>
    /// <c>&lt;data-dir&gt;/&lt;iface&gt;.etag</c>: the server's <c>ETag</c> for the state in the peer cache
    /// (<see cref="Client.StateEntityTagFile"/>); a file of this client only, innernet neither reads nor writes it.
    /// </summary>
    public static string EntityTagFile(string dataDirectory, string interfaceName)
        => Path.Combine(dataDirectory, interfaceName + EntityTagExtension);

    /// <summary>
    /// <c>&lt;data-dir&gt;/&lt;iface&gt;.resume</c>: the state stream's version the last <c>inn up --daemon</c> held,
    /// so the next one resumes from it (<see cref="Live.LiveSession"/>); a file of this client only.
    /// </summary>
    public static string ResumeFile(string dataDirectory, string interfaceName)
        => Path.Combine(dataDirectory, interfaceName + ResumeExtension);

    /// <summary>
    /// <c>&lt;data-dir&gt;/&lt;iface&gt;.replicas</c>: the server replicas' endpoints the server announced
    /// (<see cref="Client.ReplicaFile"/>); a file of this client only.
    /// </summary>
    public static string ReplicasFile(string dataDirectory, string interfaceName)
        => Path.Combine(dataDirectory, interfaceName + ReplicasExtension);

    /// <summary>
    /// Every file this client may keep for one network, the ones innernet shares first: config, peer cache, the
    /// cache's entity tag, the stream's resume version, the announced replicas, a pending redeem key and a pending rotation key. Leaving a
    /// network deletes exactly these.
    /// </summary>
    public static IReadOnlyList<string> FilesOf(string configDirectory, string dataDirectory, string interfaceName) =>
    [
        ConfigFile(configDirectory, interfaceName),
        DataFile(dataDirectory, interfaceName),
        EntityTagFile(dataDirectory, interfaceName),
        ResumeFile(dataDirectory, interfaceName),
        ReplicasFile(dataDirectory, interfaceName),
        PendingRedeemKey.PathFor(configDirectory, interfaceName),
        KeyRotator.PendingPath(configDirectory, interfaceName),
    ];

    /// <summary>The installed networks: every regular <c>*.conf</c> file in the config directory, sorted by name.</summary>
    public static IReadOnlyList<string> InstalledInterfaces(string configDirectory)
    {
        if (!Directory.Exists(configDirectory))
        {
            return [];
        }

        return [.. Directory.EnumerateFiles(configDirectory, "*" + ConfigExtension)
            .Where(f => (File.GetAttributes(f) & (FileAttributes.Directory | FileAttributes.ReparsePoint)) == 0)
            .Select(f => Path.GetFileNameWithoutExtension(f))
            .Order(StringComparer.Ordinal)];
    }
}
