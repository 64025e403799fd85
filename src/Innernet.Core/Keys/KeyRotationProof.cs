using System.Buffers.Binary;
using System.Net.Sockets;
using Innernet.Core.Model;
using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Keys;

/// <summary>
/// The proof that a peer's holder asked for its key to change (the threat model is in docs/key-rotation.md). The
/// old private key signs, with XEdDSA, the domain tag, the network's server key, the peer's overlay IP, the old and
/// the new public key and the generation; a client moves a pin only along a chain of such signatures starting at
/// the key it pinned. The server cannot forge a step, cannot move a step to another IP or network, and cannot
/// replay a step of a lower generation than the pin's.
/// </summary>
public static class KeyRotationProof
{
    /// <summary>The most steps the server keeps per peer: a client that missed more rotations cannot follow and refuses.</summary>
    public const int MaxHistory = 8;

    private const int IpSize = 16;

    private static ReadOnlySpan<byte> Domain => "innernet-dotnet key rotation v1\0"u8;

    /// <summary>
    /// The signed bytes: domain ‖ server key ‖ IP (16 bytes, IPv4 mapped) ‖ old key ‖ new key ‖ generation (u64 BE).
    /// </summary>
    public static byte[] Message(WireGuardKey serverKey, IPAddress ip, WireGuardKey oldKey, WireGuardKey newKey, long generation)
    {
        ArgumentNullException.ThrowIfNull(ip);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(generation);
        byte[] message = new byte[Domain.Length + WireGuardKey.Size + IpSize + (2 * WireGuardKey.Size) + sizeof(long)];
        var span = message.AsSpan();
        Domain.CopyTo(span);
        span = span[Domain.Length..];
        serverKey.CopyTo(span);
        span = span[WireGuardKey.Size..];
        (ip.IsIPv4MappedToIPv6 || ip.AddressFamily == AddressFamily.InterNetworkV6 ? ip : ip.MapToIPv6()).TryWriteBytes(span, out _);
        span = span[IpSize..];
        oldKey.CopyTo(span);
        span = span[WireGuardKey.Size..];
        newKey.CopyTo(span);
        span = span[WireGuardKey.Size..];
        BinaryPrimitives.WriteInt64BigEndian(span, generation);
        return message;
    }

    /// <summary>The signed step from the key pair of <paramref name="oldPrivateKey"/> to <paramref name="newPublicKey"/>.</summary>
    public static KeyRotation Create(
        WireGuardKey oldPrivateKey, WireGuardKey serverKey, IPAddress ip, WireGuardKey newPublicKey, long generation)
    {
        var oldPublicKey = WireGuardKeys.GetPublicKey(oldPrivateKey);
        byte[] signature = XEdDsa.Sign(oldPrivateKey, Message(serverKey, ip, oldPublicKey, newPublicKey, generation));
        return new KeyRotation
        {
            Generation = generation,
            OldPublicKey = oldPublicKey,
            PublicKey = newPublicKey,
            Signature = Convert.ToBase64String(signature),
        };
    }

    /// <summary>True when the step's signature by its old key covers this network, this IP, both keys and its generation.</summary>
    public static bool IsValid(KeyRotation rotation, WireGuardKey serverKey, IPAddress ip)
    {
        ArgumentNullException.ThrowIfNull(rotation);
        ArgumentNullException.ThrowIfNull(ip);
        if (rotation.Generation <= 0 || rotation.Signature is null)
        {
            return false;
        }

        Span<byte> signature = stackalloc byte[XEdDsa.SignatureSize + 3];
        if (!Convert.TryFromBase64String(rotation.Signature, signature, out int length) || length != XEdDsa.SignatureSize)
        {
            return false;
        }

        var message = Message(serverKey, ip, rotation.OldPublicKey, rotation.PublicKey, rotation.Generation);
        return XEdDsa.Verify(rotation.OldPublicKey, message, signature[..length]);
    }

    /// <summary>The generation a peer record is at: that of its last step to its current key, 0 when it never rotated.</summary>
    public static long GenerationOf(Peer peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        long generation = 0;
        foreach (var rotation in peer.KeyRotations)
        {
            if (rotation.PublicKey == peer.PublicKey && rotation.Generation > generation)
            {
                generation = rotation.Generation;
            }
        }

        return generation;
    }

    /// <summary>
    /// Why <paramref name="received"/> may not replace the pinned <paramref name="pinned"/> (same IP, another key), or
    /// null when its <see cref="Peer.KeyRotations"/> hold a chain of valid steps from the pinned key to the received
    /// one, each of a higher generation than the one before and than the pin's.
    /// </summary>
    public static string? ChainProblem(Peer pinned, Peer received, WireGuardKey serverKey)
    {
        ArgumentNullException.ThrowIfNull(pinned);
        ArgumentNullException.ThrowIfNull(received);
        if (received.KeyRotations.Count == 0)
        {
            return "no key rotation proof";
        }

        var key = pinned.PublicKey;
        long generation = GenerationOf(pinned);
        bool stepped = false;
        foreach (var rotation in received.KeyRotations.OrderBy(r => r.Generation))
        {
            if (rotation.OldPublicKey != key || rotation.Generation <= generation)
            {
                continue;
            }

            if (!IsValid(rotation, serverKey, received.Ip))
            {
                return $"the proof of generation {rotation.Generation} has no valid signature by the pinned key for this IP and network";
            }

            key = rotation.PublicKey;
            generation = rotation.Generation;
            stepped = true;
            if (key == received.PublicKey)
            {
                return null;
            }
        }

        return stepped
            ? "its key rotation proofs do not lead from the pinned key to the received key"
            : "no key rotation proof signed by the pinned key with a generation above the pin's";
    }
}
