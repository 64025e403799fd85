using Innernet.Core.Interfaces;

namespace Innernet.Core.Fetch;

/// <summary>One <c>install</c> (redemption) of an invitation file.</summary>
public sealed record InstallRequest
{
    /// <summary>The invitation TOML.</summary>
    public required string InvitationPath { get; init; }

    /// <summary>The interface name to install the network as.</summary>
    public required string InterfaceName { get; init; }

    /// <summary>Where the config is written.</summary>
    public string ConfigDirectory { get; init; } = ClientPaths.DefaultConfigDirectory;

    /// <summary>Where the peer cache is written.</summary>
    public string DataDirectory { get; init; } = ClientPaths.DefaultDataDirectory;

    /// <summary>Backend, MTU, routing.</summary>
    public NetworkOptions Network { get; init; } = new();

    /// <summary>The hosts file.</summary>
    public HostsOptions Hosts { get; init; } = new();

    /// <summary>NAT traversal and candidates.</summary>
    public NatOptions Nat { get; init; } = new();
}
