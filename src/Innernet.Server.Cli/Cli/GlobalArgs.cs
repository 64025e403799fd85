using Innernet.Core.Interfaces;

namespace Innernet.Server.Cli;

/// <summary>The values of the global options.</summary>
internal sealed record GlobalArgs(string ConfigDirectory, string DataDirectory, NetworkOptions Network)
{
    public const string DefaultConfigDirectory = "/etc/innernet-server";
    public const string DefaultDataDirectory = "/var/lib/innernet-server";

    public ServerPaths PathsFor(string iface) => new(ConfigDirectory, DataDirectory, iface);
}
