using System.Text.Json.Serialization;
using Innernet.Core.Contracts;
using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Model;

/// <summary>
/// A peer's fields without its id (JSON as in innernet: snake_case, <c>ip</c> plain text, key in base64,
/// <c>invite_expires</c> as a SystemTime object). Equality compares <see cref="Candidates"/> element-wise.
/// </summary>
public sealed record PeerContents
{
    /// <summary>Hostname-style name, unique.</summary>
    public required string Name { get; init; }

    /// <summary>The overlay IP (no prefix).</summary>
    public required IPAddress Ip { get; init; }

    /// <summary>The CIDR the peer belongs to.</summary>
    public required long CidrId { get; init; }

    /// <summary>The WireGuard public key.</summary>
    [JsonConverter(typeof(WireGuardKeyJsonConverter))]
    public required WireGuardKey PublicKey { get; init; }

    /// <summary>Endpoint override, or (as served) the endpoint the server observed; null when unknown.</summary>
    public Endpoint? Endpoint { get; init; }

    /// <summary>Keepalive in seconds; the server always reports 25; null disables it.</summary>
    public ushort? PersistentKeepaliveInterval { get; init; }

    /// <summary>May use the admin API (<c>/v1/admin/…</c>).</summary>
    public bool IsAdmin { get; init; }

    /// <summary>Disabled: the server keeps the row but neither serves nor configures the peer.</summary>
    public bool IsDisabled { get; init; }

    /// <summary>The invitation was redeemed: the key is the peer's own, no longer the invitation's temporary one.</summary>
    public bool IsRedeemed { get; init; }

    /// <summary>When an unredeemed invitation expires; null for none.</summary>
    public DateTimeOffset? InviteExpires { get; init; }

    /// <summary>Extra endpoints for NAT traversal (at most 10 accepted by the server); never null.</summary>
    public IReadOnlyList<Endpoint> Candidates
    {
        get => _candidates;

        // The JSON source generator assigns missing init-only members their default (null): keep "missing = []".
        init => _candidates = value ?? [];
    }

    /// <summary>This peer with an id.</summary>
    public Peer WithId(long id) => new()
    {
        Id = id,
        Name = Name,
        Ip = Ip,
        CidrId = CidrId,
        PublicKey = PublicKey,
        Endpoint = Endpoint,
        PersistentKeepaliveInterval = PersistentKeepaliveInterval,
        IsAdmin = IsAdmin,
        IsDisabled = IsDisabled,
        IsRedeemed = IsRedeemed,
        InviteExpires = InviteExpires,
        Candidates = Candidates,
    };

    private readonly IReadOnlyList<Endpoint> _candidates = [];

    /// <inheritdoc/>
    public bool Equals(PeerContents? other)
        => other is not null
            && Name == other.Name
            && Ip.Equals(other.Ip)
            && CidrId == other.CidrId
            && PublicKey == other.PublicKey
            && Endpoint == other.Endpoint
            && PersistentKeepaliveInterval == other.PersistentKeepaliveInterval
            && IsAdmin == other.IsAdmin
            && IsDisabled == other.IsDisabled
            && IsRedeemed == other.IsRedeemed
            && InviteExpires == other.InviteExpires
            && Candidates.SequenceEqual(other.Candidates);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Name, Ip, CidrId, PublicKey);
}
