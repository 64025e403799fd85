using System.Numerics;
using System.Security.Cryptography;
using Innernet.Netlink.WireGuard;
using Org.BouncyCastle.Math.EC.Rfc8032;
using F = Org.BouncyCastle.Math.EC.Rfc7748.X25519Field;

namespace Innernet.Core.Keys;

/// <summary>
/// XEdDSA (Signal's "The XEdDSA and VXEdDSA Signature Schemes", revision 1, 2016): Ed25519-compatible signatures
/// made with an X25519 private key and checked with the X25519 (Montgomery) public key, so a WireGuard key pair can
/// sign without a second key. The signer maps its scalar to the Edwards point with sign bit 0 (negating the scalar
/// when needed); the verifier maps the Montgomery u to that Edwards point (y = (u − 1) / (u + 1)) and runs a
/// standard Ed25519 verification (BouncyCastle's, which also refuses s ≥ the group order).
/// </summary>
/// <remarks>
/// BouncyCastle has no Edwards scalar multiplication by an arbitrary scalar in its public API, so signing does its
/// own: a Montgomery-style ladder with conditional swaps over BouncyCastle's constant-time field arithmetic and the
/// complete twisted-Edwards addition law. Only the final reductions modulo the group order use
/// <see cref="BigInteger"/>, which is not constant time; signing is a rare local operation (one per key rotation).
/// </remarks>
internal static class XEdDsa
{
    /// <summary>Bytes in a signature (R ‖ s).</summary>
    public const int SignatureSize = 64;

    private const int FieldSize = 32;

    // The group order q = 2^252 + 27742317777372353535851937790883648493.
    private static readonly BigInteger Order = BigInteger.Pow(2, 252) + BigInteger.Parse(
        "27742317777372353535851937790883648493", System.Globalization.CultureInfo.InvariantCulture);

    // Twisted Edwards constant d and the base point, little-endian field elements.
    private static readonly int[] D = Element("a3785913ca4deb75abd841414d0a700098e879777940c78c73fe6f2bee6c0352");
    private static readonly int[] BaseX = Element("1ad5258f602d56c9b2a7259560c72c695cdcd6fd31e2a4c0fe536ecdd3366921");
    private static readonly int[] BaseY = Element("5866666666666666666666666666666666666666666666666666666666666666");

    /// <summary>
    /// Signs <paramref name="message"/> with an X25519 private key (clamped here as X25519 clamps it) and 64 bytes of
    /// fresh randomness.
    /// </summary>
    public static byte[] Sign(WireGuardKey privateKey, ReadOnlySpan<byte> message)
    {
        Span<byte> random = stackalloc byte[64];
        RandomNumberGenerator.Fill(random);
        try
        {
            return Sign(privateKey, message, random);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(random);
        }
    }

    /// <summary>Signs with the given 64 random bytes Z (tests pass fixed ones; callers use <see cref="Sign(WireGuardKey,
    /// ReadOnlySpan{byte})"/>).</summary>
    public static byte[] Sign(WireGuardKey privateKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> random)
    {
        if (random.Length != 64)
        {
            throw new ArgumentException("XEdDSA needs 64 random bytes.", nameof(random));
        }

        byte[] k = privateKey.Bytes.ToArray();
        byte[] publicPoint = new byte[FieldSize];
        byte[] nonceScalar = new byte[FieldSize];
        byte[] a = new byte[FieldSize];
        try
        {
            WireGuardKeys.Clamp(k);

            // calculate_key_pair: A = kB with its sign bit forced to 0, a = ±k so that aB = A.
            bool negative = ScalarMultBase(k, publicPoint);
            publicPoint[^1] &= 0x7F;
            var kValue = new BigInteger(k, isUnsigned: true);
            ToScalarBytes(negative ? (Order - kValue % Order) % Order : kValue % Order, a);

            // r = hash1(a ‖ M ‖ Z) mod q, where hash1 prefixes 2^256 − 2 as 32 little-endian bytes.
            using var nonceHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
            Span<byte> prefix = stackalloc byte[FieldSize];
            prefix.Fill(0xFF);
            prefix[0] = 0xFE;
            nonceHash.AppendData(prefix);
            nonceHash.AppendData(a);
            nonceHash.AppendData(message);
            nonceHash.AppendData(random);
            var r = Reduce(nonceHash.GetHashAndReset());
            ToScalarBytes(r, nonceScalar);

            byte[] signature = new byte[SignatureSize];
            ScalarMultBase(nonceScalar, signature.AsSpan(0, FieldSize));

            // h = SHA-512(R ‖ A ‖ M) mod q; s = r + h·a mod q.
            using var challengeHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
            challengeHash.AppendData(signature.AsSpan(0, FieldSize));
            challengeHash.AppendData(publicPoint);
            challengeHash.AppendData(message);
            var h = Reduce(challengeHash.GetHashAndReset());
            var s = (r + h * new BigInteger(a, isUnsigned: true)) % Order;
            ToScalarBytes(s, signature.AsSpan(FieldSize));
            return signature;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(k);
            CryptographicOperations.ZeroMemory(nonceScalar);
            CryptographicOperations.ZeroMemory(a);
        }
    }

    /// <summary>
    /// True when <paramref name="signature"/> is a valid XEdDSA signature of <paramref name="message"/> by the holder of
    /// the private key of the X25519 public key <paramref name="publicKey"/>. A non-canonical u (≥ 2^255 − 19) fails.
    /// </summary>
    public static bool Verify(WireGuardKey publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != SignatureSize || EdwardsPublicKey(publicKey) is not { } edwards)
        {
            return false;
        }

        return Ed25519.Verify(signature.ToArray(), 0, edwards, 0, message.ToArray(), 0, message.Length);
    }

    /// <summary>The Ed25519 encoding (sign bit 0) of the Edwards point for the Montgomery u; null when u is not canonical.</summary>
    internal static byte[]? EdwardsPublicKey(WireGuardKey publicKey)
    {
        byte[] uBytes = publicKey.Bytes.ToArray();
        int[] u = F.Create();
        F.Decode255(uBytes, u);
        byte[] canonical = new byte[FieldSize];
        int[] check = F.Create();
        F.Copy(u, 0, check, 0);
        F.Normalize(check);
        F.Encode(check, canonical, 0);
        if (!canonical.AsSpan().SequenceEqual(uBytes))
        {
            return null;
        }

        // y = (u − 1) / (u + 1)
        int[] numerator = F.Create();
        int[] denominator = F.Create();
        F.Copy(u, 0, numerator, 0);
        F.SubOne(numerator);
        F.Copy(u, 0, denominator, 0);
        F.AddOne(denominator);
        F.Inv(denominator, denominator);
        int[] y = F.Create();
        F.Mul(numerator, denominator, y);
        F.Normalize(y);
        byte[] encoded = new byte[FieldSize];
        F.Encode(y, encoded, 0);
        encoded[^1] &= 0x7F;
        return encoded;
    }

    /// <summary>Encodes scalar·B (Ed25519 form, sign bit set for odd x) into <paramref name="point"/>; returns the sign bit.</summary>
    private static bool ScalarMultBase(ReadOnlySpan<byte> scalar, Span<byte> point)
    {
        // R0 = identity, R1 = B; per bit from the top: swap when set, R1 = R0 + R1, R0 = 2·R0, swap back.
        var r0 = Point.Identity();
        var r1 = new Point(BaseX, BaseY);
        int swap = 0;
        for (int i = 255; i >= 0; i--)
        {
            int bit = (scalar[i >> 3] >> (i & 7)) & 1;
            swap ^= bit;
            Point.CSwap(swap, r0, r1);
            swap = bit;
            Point.Add(r0, r1, r1);
            Point.Add(r0, r0, r0);
        }

        Point.CSwap(swap, r0, r1);
        return r0.Encode(point);
    }

    private static BigInteger Reduce(ReadOnlySpan<byte> littleEndian) => new BigInteger(littleEndian, isUnsigned: true) % Order;

    private static void ToScalarBytes(BigInteger value, Span<byte> destination)
    {
        destination.Clear();
        if (!value.TryWriteBytes(destination, out _, isUnsigned: true))
        {
            throw new InvalidOperationException("A scalar does not fit in 32 bytes.");
        }
    }

    private static int[] Element(string hex)
    {
        int[] element = F.Create();
        F.Decode255(Convert.FromHexString(hex), element);
        return element;
    }

    /// <summary>A point in extended coordinates (X : Y : Z : T), x = X/Z, y = Y/Z, xy = T/Z.</summary>
    private sealed class Point
    {
        private readonly int[] _x = F.Create();
        private readonly int[] _y = F.Create();
        private readonly int[] _z = F.Create();
        private readonly int[] _t = F.Create();

        public Point(int[] x, int[] y)
        {
            F.Copy(x, 0, _x, 0);
            F.Copy(y, 0, _y, 0);
            F.One(_z);
            F.Mul(x, y, _t);
        }

        private Point()
        {
        }

        public static Point Identity()
        {
            var point = new Point();
            F.One(point._y);
            F.One(point._z);
            return point;
        }

        public static void CSwap(int swap, Point p, Point q)
        {
            F.CSwap(swap, p._x, q._x);
            F.CSwap(swap, p._y, q._y);
            F.CSwap(swap, p._z, q._z);
            F.CSwap(swap, p._t, q._t);
        }

        /// <summary>result = p + q (add-2008-hwcd-3 for a = −1; complete, so doubling too). result may alias p or q.</summary>
        public static void Add(Point p, Point q, Point result)
        {
            int[] a = F.Create(), b = F.Create(), c = F.Create(), d = F.Create(), t = F.Create();
            F.Sub(p._y, p._x, a);
            F.Carry(a);
            F.Sub(q._y, q._x, t);
            F.Carry(t);
            F.Mul(a, t, a);
            F.Add(p._y, p._x, b);
            F.Carry(b);
            F.Add(q._y, q._x, t);
            F.Carry(t);
            F.Mul(b, t, b);
            F.Mul(p._t, q._t, c);
            F.Mul(c, D, c);
            F.Add(c, c, c);
            F.Carry(c);
            F.Mul(p._z, q._z, d);
            F.Add(d, d, d);
            F.Carry(d);
            int[] e = F.Create(), f = F.Create(), g = F.Create(), h = F.Create();
            F.Sub(b, a, e);
            F.Carry(e);
            F.Sub(d, c, f);
            F.Carry(f);
            F.Add(d, c, g);
            F.Carry(g);
            F.Add(b, a, h);
            F.Carry(h);
            F.Mul(e, f, result._x);
            F.Mul(g, h, result._y);
            F.Mul(e, h, result._t);
            F.Mul(f, g, result._z);
        }

        /// <summary>Writes the Ed25519 encoding (y, sign of x in the top bit); returns the sign bit.</summary>
        public bool Encode(Span<byte> destination)
        {
            int[] inverse = F.Create(), x = F.Create(), y = F.Create();
            F.Inv(_z, inverse);
            F.Mul(_x, inverse, x);
            F.Mul(_y, inverse, y);
            F.Normalize(x);
            F.Normalize(y);
            byte[] xBytes = new byte[FieldSize];
            byte[] yBytes = new byte[FieldSize];
            F.Encode(x, xBytes, 0);
            F.Encode(y, yBytes, 0);
            bool negative = (xBytes[0] & 1) == 1;
            if (negative)
            {
                yBytes[^1] |= 0x80;
            }

            yBytes.CopyTo(destination);
            CryptographicOperations.ZeroMemory(xBytes);
            return negative;
        }
    }
}
