using Innernet.Core.Model;

namespace Innernet.Core.Persistence;

/// <summary>
/// The fields of a peer that an update may change (innernet's <c>PUT /admin/peers/{id}</c>): IP, CIDR,
/// key, redeemed flag and invitation expiry are immutable "for security reasons".
/// </summary>
public sealed record PeerUpdate
{
    /// <summary>The new hostname-style name (unique).</summary>
    public required string Name { get; init; }

    /// <summary>The endpoint override; null for none.</summary>
    public Endpoint? Endpoint { get; init; }

    /// <summary>May use the admin API (<c>/v1/admin/…</c>).</summary>
    public bool IsAdmin { get; init; }

    /// <summary>Disabled: the server keeps the row but neither serves nor configures the peer.</summary>
    public bool IsDisabled { get; init; }

    /// <summary>At most <see cref="NetworkDefaults.MaxCandidates"/>.</summary>
    public IReadOnlyList<Endpoint> Candidates { get; init; } = [];

    /// <summary>The updatable part of a full <see cref="PeerContents"/> body; the other fields are ignored, as in innernet.</summary>
    public static PeerUpdate From(PeerContents contents)
    {
        ArgumentNullException.ThrowIfNull(contents);
        return new PeerUpdate
        {
            Name = contents.Name,
            Endpoint = contents.Endpoint,
            IsAdmin = contents.IsAdmin,
            IsDisabled = contents.IsDisabled,
            Candidates = contents.Candidates,
        };
    }

    /// <summary>The updatable part of a peer as it stands (a starting point for <c>with</c> changes).</summary>
    public static PeerUpdate From(Peer peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        return From(peer.Contents);
    }
}
