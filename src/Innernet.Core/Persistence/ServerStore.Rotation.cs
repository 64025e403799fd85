using Innernet.Core.Keys;
using Innernet.Core.Model;

namespace Innernet.Core.Persistence;

public sealed partial class ServerStore
{
    /// <summary>
    /// Rotates a redeemed peer's key to <c>rotation.PublicKey</c> (an extension to innernet): the step must start at
    /// the peer's current key, have the next generation and carry a valid signature by the current key over this
    /// network's server key and the peer's IP (<see cref="KeyRotationProof"/>), so the store itself never changes a
    /// redeemed key without the proof every client checks. The step is appended to the peer's key history (the last
    /// <see cref="KeyRotationProof.MaxHistory"/> kept). A repeat of the step already applied (same old key, new key and
    /// generation; the caller lost the answer) succeeds without a change.
    /// </summary>
    /// <returns>The peer before (whose key the server must take off WireGuard after the transition) and after; for a
    /// repeat both are the stored peer.</returns>
    /// <exception cref="NotFoundException">No peer has this id.</exception>
    /// <exception cref="UnauthorizedException">The peer is disabled.</exception>
    /// <exception cref="ValidationException">
    /// The peer is the server or unredeemed; the step does not start at its key, has another generation, a bad
    /// signature, or a new key that is zero, used by another peer or used by this peer before.
    /// </exception>
    public PeerChange RotateKey(long id, KeyRotation rotation)
    {
        ArgumentNullException.ThrowIfNull(rotation);
        CheckKey(rotation.PublicKey);
        return Write(state =>
        {
            var peer = state.FindPeer(id) ?? throw PeerNotFound(id);
            if (peer.Id == Peer.ServerId)
            {
                throw new ValidationException("The server's own key cannot be rotated through the peer API.");
            }

            if (peer.IsDisabled)
            {
                throw new UnauthorizedException($"Peer '{peer.Name}' is disabled; its key cannot be rotated.");
            }

            if (!peer.IsRedeemed)
            {
                throw new ValidationException($"Peer '{peer.Name}' has not redeemed its invitation; redeem instead of rotating.");
            }

            if (peer.KeyRotations.Count > 0 && peer.KeyRotations[^1] is var last && last.PublicKey == peer.PublicKey
                && last.OldPublicKey == rotation.OldPublicKey && rotation.PublicKey == peer.PublicKey
                && last.Generation == rotation.Generation)
            {
                return Planned<PeerChange>.Unchanged(new PeerChange(peer, peer));
            }

            CheckRotation(state, peer, rotation);
            var history = peer.KeyRotations.Append(rotation).TakeLast(KeyRotationProof.MaxHistory).ToArray();
            var rotated = peer with { PublicKey = rotation.PublicKey, KeyRotations = Array.AsReadOnly(history) };
            return ReplacedPeer(state, new PeerChange(peer, rotated), rotated);
        });
    }

    private static void CheckRotation(StoreSnapshot state, Peer peer, KeyRotation rotation)
    {
        if (rotation.OldPublicKey != peer.PublicKey)
        {
            throw new ValidationException("rotation.old_public_key: this is not the peer's current key.");
        }

        long expected = KeyRotationProof.GenerationOf(peer) + 1;
        if (rotation.Generation != expected)
        {
            throw new ValidationException($"rotation.generation: expected {expected}, the peer's next generation.");
        }

        if (rotation.PublicKey == peer.PublicKey || peer.KeyRotations.Any(r => r.OldPublicKey == rotation.PublicKey))
        {
            throw new ValidationException("rotation.public_key: this peer used this key before; rotating needs a newly generated key.");
        }

        var server = state.FindPeer(Peer.ServerId) ?? throw PeerNotFound(Peer.ServerId);
        if (rotation.PublicKey == server.PublicKey)
        {
            throw new ValidationException("rotation.public_key: this is the server's own key.");
        }

        CheckKeyFree(state, rotation.PublicKey, peer.Id);
        if (!KeyRotationProof.IsValid(rotation, server.PublicKey, peer.Ip))
        {
            throw new ValidationException(
                "rotation.signature: not a valid signature by the peer's current key over this network, its IP and the new key.");
        }
    }
}
