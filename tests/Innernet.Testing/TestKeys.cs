using System.Security.Cryptography;
using Innernet.Netlink.WireGuard;
using Org.BouncyCastle.Math.EC.Rfc7748;

namespace Innernet.Testing;

/// <summary>WireGuard key pairs for tests: X25519 with a clamped private key (as <c>wg genkey</c>).</summary>
public static class TestKeys
{
    public static TestKeyPair NewKeyPair()
    {
        var privateKey = RandomNumberGenerator.GetBytes(X25519.ScalarSize);
        Clamp(privateKey);
        return new TestKeyPair(new WireGuardKey(privateKey), PublicKeyOf(privateKey));
    }

    /// <summary>The public key of a private key: X25519 scalar multiplication of the base point.</summary>
    public static WireGuardKey PublicKeyOf(WireGuardKey privateKey) => PublicKeyOf(privateKey.Bytes.ToArray());

    /// <summary>A random 32-byte key for peers that never handshake (public or preshared).</summary>
    public static WireGuardKey RandomKey() => new(RandomNumberGenerator.GetBytes(WireGuardKey.Size));

    /// <summary>Clamps a Curve25519 private key in place (RFC 7748 §5).</summary>
    public static void Clamp(Span<byte> privateKey)
    {
        privateKey[0] &= 248;
        privateKey[31] &= 127;
        privateKey[31] |= 64;
    }

    private static WireGuardKey PublicKeyOf(byte[] privateKey)
    {
        var publicKey = new byte[X25519.PointSize];
        X25519.ScalarMultBase(privateKey, 0, publicKey, 0);
        return new WireGuardKey(publicKey);
    }
}
