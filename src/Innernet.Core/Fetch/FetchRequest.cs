using Innernet.Core.Interfaces;

namespace Innernet.Core.Fetch;

/// <summary>One <c>fetch</c> (or <c>up</c>) of an installed network.</summary>
public sealed record FetchRequest
{
    /// <summary>The interface (= network) name.</summary>
    public required string InterfaceName { get; init; }

    /// <summary>Where <c>&lt;iface&gt;.conf</c> lives.</summary>
    public string ConfigDirectory { get; init; } = ClientPaths.DefaultConfigDirectory;

    /// <summary>Where the peer cache <c>&lt;iface&gt;.json</c> lives.</summary>
    public string DataDirectory { get; init; } = ClientPaths.DefaultDataDirectory;

    /// <summary>Backend, MTU, routing.</summary>
    public NetworkOptions Network { get; init; } = new();

    /// <summary>The hosts file.</summary>
    public HostsOptions Hosts { get; init; } = new();

    /// <summary>NAT traversal and candidates.</summary>
    public NatOptions Nat { get; init; } = new();

    /// <summary>True for <c>up</c> and <c>install</c>: bring the interface up when it is not; false for <c>fetch</c>, which then
    /// fails.</summary>
    public bool BringUp { get; init; }
}
