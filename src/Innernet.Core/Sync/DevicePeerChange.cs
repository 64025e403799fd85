using System.Text;
using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Sync;

/// <summary>
/// One change to a peer on the WireGuard device (what a fetch applies), for printing: "peer laptop (DD5yKRfz…) was
/// modified" plus one line per setting. Not <see cref="Persistence.PeerChange"/>, a stored peer before and after a key change.
/// </summary>
/// <param name="Kind">Added, modified or removed.</param>
/// <param name="PublicKey">The peer's key.</param>
/// <param name="Name">The peer's name, or null when unknown (a removed peer that is not cached).</param>
/// <param name="Details">One entry per changed setting, e.g. "endpoint: (none) => 1.2.3.4:51820".</param>
/// <param name="EndpointChanged">True when the endpoint changes (innernet prints those at info level).</param>
/// <param name="NatReattemptOnly">True when the only "change" is a NAT traversal reattempt (innernet prints nothing).</param>
public sealed record DevicePeerChange(
    DevicePeerChangeKind Kind,
    WireGuardKey PublicKey,
    string? Name,
    IReadOnlyList<string> Details,
    bool EndpointChanged,
    bool NatReattemptOnly)
{
    private const int ShortKeyLength = 10;

    /// <summary>The summary line, e.g. "peer laptop (DD5yKRfzEx...) was added".</summary>
    public string Summary
    {
        get
        {
            string verb = Kind switch
            {
                DevicePeerChangeKind.Added => "added",
                DevicePeerChangeKind.Removed => "removed",
                _ => "modified",
            };
            return $"peer {Name ?? "<unknown>"} ({PublicKey.ToBase64()[..ShortKeyLength]}...) was {verb}";
        }
    }

    /// <summary>The summary followed by indented details.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder(Summary);
        foreach (string detail in Details)
        {
            sb.Append("\n  ").Append(detail);
        }

        return sb.ToString();
    }
}
