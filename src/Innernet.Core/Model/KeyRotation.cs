using System.Text.Json.Serialization;
using Innernet.Core.Contracts;
using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Model;

/// <summary>
/// One step of a peer's key history: the holder of <see cref="OldPublicKey"/> asked to be known by
/// <see cref="PublicKey"/> from now on, proven by an XEdDSA <see cref="Signature"/> made with the old private key
/// (<see cref="Keys.KeyRotationProof"/>). An extension to innernet's peer record (field <c>key_rotations</c>), which
/// innernet's clients ignore.
/// </summary>
public sealed record KeyRotation
{
    /// <summary>The peer's rotation count after this step: 1 for the first rotation, one more for each next one.</summary>
    public required long Generation { get; init; }

    /// <summary>The key the peer had before this step (the signer).</summary>
    [JsonConverter(typeof(WireGuardKeyJsonConverter))]
    public required WireGuardKey OldPublicKey { get; init; }

    /// <summary>The key the peer has after this step.</summary>
    [JsonConverter(typeof(WireGuardKeyJsonConverter))]
    public required WireGuardKey PublicKey { get; init; }

    /// <summary>The 64-byte XEdDSA signature, base64.</summary>
    public required string Signature { get; init; }
}
