namespace Innernet.Server.Cli;

/// <summary>
/// Where a network's files live: <c>&lt;config-dir&gt;/&lt;iface&gt;.conf</c>, <c>&lt;data-dir&gt;/&lt;iface&gt;.db</c>
/// (with LiteDB's <c>&lt;iface&gt;-log.db</c>) and the running server's local admin socket
/// <c>&lt;data-dir&gt;/&lt;iface&gt;.sock</c>. The socket sits in the data directory (0700, root) rather than
/// /run so that only root can reach it even before its own 0600 mode is set, and so that a test's private
/// data directory gives it a private socket too.
/// </summary>
internal sealed record ServerPaths(string ConfigDirectory, string DataDirectory, string Interface)
{
    public string ConfigFile => Path.Combine(ConfigDirectory, Interface + ".conf");

    public string Database => Path.Combine(DataDirectory, Interface + ".db");

    public string DatabaseLog => Path.Combine(DataDirectory, Interface + "-log.db");

    public string AdminSocket => Path.Combine(DataDirectory, Interface + ".sock");
}
