namespace Innernet.Core.Sync;

/// <summary>What happens to a WireGuard peer.</summary>
public enum DevicePeerChangeKind
{
    /// <summary>The peer is new on the device.</summary>
    Added,

    /// <summary>The peer exists and some setting changes (or only a NAT traversal reattempt is due).</summary>
    Modified,

    /// <summary>The peer is no longer listed by the server and is removed from the device.</summary>
    Removed,
}
