using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Interfaces;

/// <summary>innernet's <c>NetworkOpts</c>: backend, MTU and whether to add the route for the root network.</summary>
public sealed record NetworkOptions
{
    /// <summary>innernet's MTU when <c>--mtu</c> is absent.</summary>
    public const int DefaultMtu = 1280;

    /// <summary>Which WireGuard implementation to drive.</summary>
    public WireGuardBackend Backend { get; init; } = WireGuardBackend.Auto;

    /// <summary>The interface MTU.</summary>
    public int Mtu { get; init; } = DefaultMtu;

    /// <summary>Skip the route for the root network (routing is done by something else, e.g. babeld).</summary>
    public bool NoRouting { get; init; }
}
