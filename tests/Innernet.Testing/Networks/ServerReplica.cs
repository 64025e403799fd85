using System.Net;

namespace Innernet.Testing.Networks;

/// <summary>
/// A second <c>innernet-server serve --replica</c> of a network on PostgreSQL (see <see cref="InnernetNetwork.AddReplica"/>):
/// its own namespace on the underlay, its own config and data directories and its own WireGuard interface name.
/// </summary>
public sealed class ServerReplica(string ns, string interfaceName, string configDirectory, string dataDirectory, IPAddress underlay)
{
    public string Namespace => ns;

    /// <summary>Its WireGuard interface, also the name its verbs take (its config file is <c>&lt;name&gt;.conf</c>).</summary>
    public string InterfaceName => interfaceName;

    public string ConfigDirectory => configDirectory;

    public string DataDirectory => dataDirectory;

    public IPAddress Underlay => underlay;

    /// <summary>The endpoint it announces to clients (<c>--external-endpoint</c>).</summary>
    public string Endpoint => $"{Underlay}:{InnernetNetwork.ListenPort}";

    internal NamespacedProcess? Serve { get; set; }

    public bool IsServing => Serve is { HasExited: false };

    public string Log => Serve?.Log ?? "";

    public override string ToString() => $"replica {InterfaceName} ({Endpoint}, {Namespace})";
}
