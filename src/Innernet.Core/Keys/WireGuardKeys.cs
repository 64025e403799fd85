using System.Security.Cryptography;
using Innernet.Netlink.WireGuard;
using Org.BouncyCastle.Math.EC.Rfc7748;

namespace Innernet.Core.Keys;

/// <summary>WireGuard key generation and derivation (X25519 via BouncyCastle, randomness from the OS CSPRNG).</summary>
public static class WireGuardKeys
{
    /// <summary>32 random bytes with X25519 clamping (<c>b[0] &amp;= 248; b[31] &amp;= 127; b[31] |= 64</c>).</summary>
    public static WireGuardKey GeneratePrivateKey()
    {
        Span<byte> bytes = stackalloc byte[WireGuardKey.Size];
        RandomNumberGenerator.Fill(bytes);
        Clamp(bytes);
        var key = new WireGuardKey(bytes);
        CryptographicOperations.ZeroMemory(bytes);
        return key;
    }

    /// <summary>32 random bytes, no clamping.</summary>
    public static WireGuardKey GeneratePresharedKey()
    {
        Span<byte> bytes = stackalloc byte[WireGuardKey.Size];
        RandomNumberGenerator.Fill(bytes);
        var key = new WireGuardKey(bytes);
        CryptographicOperations.ZeroMemory(bytes);
        return key;
    }

    /// <summary>The X25519 public key (base-point multiplication; the scalar is clamped as X25519 requires).</summary>
    public static WireGuardKey GetPublicKey(WireGuardKey privateKey)
    {
        byte[] scalar = privateKey.Bytes.ToArray();
        byte[] result = new byte[X25519.PointSize];
        try
        {
            X25519.ScalarMultBase(scalar, 0, result, 0);
            return new WireGuardKey(result);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(scalar);
        }
    }

    internal static void Clamp(Span<byte> key)
    {
        key[0] &= 248;
        key[^1] &= 127;
        key[^1] |= 64;
    }
}
