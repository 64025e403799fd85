using System.Net;

namespace Innernet.Server.Serve;

/// <summary>The flags of <c>serve</c> (the network options come from the global ones).</summary>
internal sealed record ServeArgs(
    string Interface, string HostsPath, bool NoWriteHosts, string? HostSuffix, string? Database = null, bool Replica = false)
{
    public const string DefaultHostsPath = "/etc/hosts";

    /// <summary>The loopback endpoint of the metrics listener (<c>--metrics-listen</c>), or null for none.</summary>
    public IPEndPoint? MetricsListen { get; init; }

    /// <summary>
    /// This server's own external endpoint (<c>--external-endpoint</c>), registered for the clients' failover between
    /// replicas; null: a replica registers none, a single server announces the server peer's endpoint.
    /// </summary>
    public Innernet.Core.Model.Endpoint? ExternalEndpoint { get; init; }
}
