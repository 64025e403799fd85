namespace Innernet.Core.Model;

/// <summary>
/// One message of the live state stream, <c>GET /v1/user/state/stream</c> (docs/api.md, "Live updates"): either
/// the caller's whole view (<see cref="Full"/>) or the difference from the message before.
/// </summary>
/// <param name="Version">
/// Opaque resume token of the view after this message (at most <see cref="MaxVersionLength"/> printable ASCII
/// characters); a client sends it back as <c>since</c> when it reconnects.
/// </param>
/// <param name="Since">
/// For a difference, the <see cref="Version"/> it applies to; a client holding another version has missed a
/// message and must resynchronise. Null for a full view.
/// </param>
/// <param name="Full">
/// True: <see cref="Peers"/> is every peer the caller may see and <see cref="Cidrs"/> every CIDR, replacing what
/// the client holds (the same content as <c>GET /v1/user/state</c>). False: a difference.
/// </param>
/// <param name="Peers">A full view's peers; a difference's added or changed peers, each complete.</param>
/// <param name="Removed">A difference's ids of peers no longer in the view (ids the client does not hold are ignored).</param>
/// <param name="Cidrs">A full view's CIDRs; in a difference every CIDR when any changed, otherwise null.</param>
public sealed record StateUpdate(
    string Version,
    string? Since,
    bool Full,
    IReadOnlyList<Peer> Peers,
    IReadOnlyList<long> Removed,
    IReadOnlyList<Cidr>? Cidrs)
{
    /// <summary>The longest resume token a client accepts or sends.</summary>
    public const int MaxVersionLength = 64;
}
