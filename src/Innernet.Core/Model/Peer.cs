using System.Text.Json.Serialization;
using Innernet.Core.Contracts;
using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Model;

/// <summary>
/// A peer: its id plus the <see cref="PeerContents"/> fields, flat (JSON as in innernet).
/// Peer id 1 is the server. Equality compares <see cref="Candidates"/> element-wise.
/// </summary>
public sealed record Peer
{
    /// <summary>Id of the server peer, fixed by innernet.</summary>
    public const long ServerId = 1;

    /// <summary>Database id.</summary>
    [JsonPropertyOrder(-1)]
    public required long Id { get; init; }

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

    /// <summary>Extra endpoints for NAT traversal; never null.</summary>
    public IReadOnlyList<Endpoint> Candidates
    {
        get => _candidates;

        // The JSON source generator assigns missing init-only members their default (null): keep "missing = []".
        init => _candidates = value ?? [];
    }

    /// <summary>
    /// The signed steps of the peer's key history, oldest first (at most <see cref="Keys.KeyRotationProof.MaxHistory"/>);
    /// empty when the key never changed; never null. An extension to innernet's record: written as
    /// <c>key_rotations</c> only when not empty, ignored by innernet's clients. Not part of <see cref="Contents"/>.
    /// </summary>
    [JsonIgnore]
    public IReadOnlyList<KeyRotation> KeyRotations
    {
        get => _keyRotations;
        init => _keyRotations = value ?? [];
    }

    /// <summary><see cref="KeyRotations"/> as JSON: absent (null) when empty, so an unrotated peer serializes as innernet's.</summary>
    [JsonInclude]
    [JsonPropertyName("key_rotations")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    internal IReadOnlyList<KeyRotation>? SerializedKeyRotations
    {
        get => _keyRotations.Count == 0 ? null : _keyRotations;
        init => _keyRotations = value ?? [];
    }

    /// <summary>The fields without the id.</summary>
    [JsonIgnore]
    public PeerContents Contents => new()
    {
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

    /// <summary>A peer from an id and contents.</summary>
    public static Peer Create(long id, PeerContents contents)
    {
        ArgumentNullException.ThrowIfNull(contents);
        return contents.WithId(id);
    }

    private readonly IReadOnlyList<Endpoint> _candidates = [];

    private readonly IReadOnlyList<KeyRotation> _keyRotations = [];

    /// <inheritdoc/>
    public bool Equals(Peer? other)
        => other is not null
            && Id == other.Id
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
            && Candidates.SequenceEqual(other.Candidates)
            && KeyRotations.SequenceEqual(other.KeyRotations);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Id, Name, Ip, CidrId, PublicKey);

    /// <summary>"name (ip)" for messages; never includes keys.</summary>
    public override string ToString() => $"{Name} ({Ip})";
}
