using System.Numerics;
using System.Security.Cryptography;
using Innernet.Core.Keys;
using Innernet.Netlink.WireGuard;
using Org.BouncyCastle.Math.EC.Rfc7748;
using Org.BouncyCastle.Math.EC.Rfc8032;

namespace Innernet.Core.Tests.Keys;

public sealed class XEdDsaTests
{
    // RFC 8032 §7.1, TEST 1 to 3: (secret seed, Ed25519 public key, message, signature). Every public key has sign bit 0,
    // so the Edwards point XEdDSA derives from the Montgomery form of the key is exactly the RFC's A.
    public static TheoryData<string, string, string, string> Rfc8032Vectors => new()
    {
        {
            "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
            "",
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
            + "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        },
        {
            "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
            "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
            "72",
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
            + "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"
        },
        {
            "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
            "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
            "af82",
            "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
            + "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"
        },
    };

    private static readonly BigInteger P = BigInteger.Pow(2, 255) - 19;

    [Theory]
    [MemberData(nameof(Rfc8032Vectors))]
    public void Verify_Rfc8032Signature_WithMontgomeryFormOfItsKey(string seed, string edwardsKey, string message, string signature)
    {
        byte[] publicKey = Convert.FromHexString(edwardsKey);
        byte[] msg = Convert.FromHexString(message);
        byte[] sig = Convert.FromHexString(signature);
        Assert.True(Ed25519.Verify(sig, 0, publicKey, 0, msg, 0, msg.Length), "the vector itself must hold");
        var montgomery = MontgomeryOf(publicKey);
        Assert.Equal(montgomery, X25519PublicKeyOf(seed));

        Assert.True(XEdDsa.Verify(montgomery, msg, sig));
    }

    [Theory]
    [MemberData(nameof(Rfc8032Vectors))]
    public void Sign_WithRfc8032Scalar_VerifiesAsPlainEd25519UnderTheRfcKey(string seed, string edwardsKey, string message, string _)
    {
        byte[] publicKey = Convert.FromHexString(edwardsKey);
        byte[] msg = Convert.FromHexString(message);

        byte[] sig = XEdDsa.Sign(X25519PrivateKeyOf(seed), msg);

        Assert.True(Ed25519.Verify(sig, 0, publicKey, 0, msg, 0, msg.Length));
        Assert.True(XEdDsa.Verify(MontgomeryOf(publicKey), msg, sig));
    }

    [Fact]
    public void SignThenVerify_RandomKeys_BothSignsOfTheEdwardsPoint()
    {
        byte[] message = "rotate me"u8.ToArray();
        for (int i = 0; i < 24; i++)
        {
            var pair = KeyPair.Generate();
            byte[] sig = XEdDsa.Sign(pair.Private, message);
            Assert.True(XEdDsa.Verify(pair.Public, message, sig));
        }
    }

    [Fact]
    public void Sign_SameRandomness_IsDeterministic_OtherRandomnessDiffers()
    {
        var pair = KeyPair.Generate();
        byte[] z = new byte[64];
        byte[] first = XEdDsa.Sign(pair.Private, "m"u8, z);
        Assert.Equal(first, XEdDsa.Sign(pair.Private, "m"u8, z));
        z[0] = 1;
        byte[] other = XEdDsa.Sign(pair.Private, "m"u8, z);
        Assert.NotEqual(first, other);
        Assert.True(XEdDsa.Verify(pair.Public, "m"u8, other));
    }

    [Fact]
    public void Verify_AnyFlippedBit_Fails()
    {
        var pair = KeyPair.Generate();
        byte[] message = "innernet"u8.ToArray();
        byte[] sig = XEdDsa.Sign(pair.Private, message);
        for (int bit = 0; bit < sig.Length * 8; bit++)
        {
            byte[] flipped = (byte[])sig.Clone();
            flipped[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.False(XEdDsa.Verify(pair.Public, message, flipped), $"signature bit {bit}");
        }

        for (int bit = 0; bit < message.Length * 8; bit++)
        {
            byte[] flipped = (byte[])message.Clone();
            flipped[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.False(XEdDsa.Verify(pair.Public, flipped, sig), $"message bit {bit}");
        }

        Assert.False(XEdDsa.Verify(KeyPair.Generate().Public, message, sig));
        Assert.False(XEdDsa.Verify(pair.Public, message, sig.AsSpan(0, 63)));
    }

    [Fact]
    public void Verify_NonCanonicalMontgomeryKey_Fails()
    {
        var pair = KeyPair.Generate();
        byte[] sig = XEdDsa.Sign(pair.Private, "x"u8);
        byte[] high = pair.Public.Bytes.ToArray();
        high[31] |= 0x80;
        // u + p reads as the same field element as u; XEdDSA refuses every u ≥ p.
        byte[] plusP = (new BigInteger(pair.Public.Bytes, isUnsigned: true) + P).ToByteArray(isUnsigned: true);

        Assert.False(XEdDsa.Verify(new WireGuardKey(high), "x"u8, sig));
        if (plusP.Length == 32)
        {
            Assert.False(XEdDsa.Verify(new WireGuardKey(plusP), "x"u8, sig));
        }
    }

    /// <summary>u = (1 + y) / (1 − y) mod p, written out with BigInteger (independent of the field code under test).</summary>
    private static WireGuardKey MontgomeryOf(byte[] edwardsKey)
    {
        byte[] yBytes = (byte[])edwardsKey.Clone();
        yBytes[31] &= 0x7F;
        var y = new BigInteger(yBytes, isUnsigned: true);
        var u = (1 + y) * BigInteger.ModPow(((1 - y) % P + P) % P, P - 2, P) % P;
        byte[] encoded = new byte[32];
        u.TryWriteBytes(encoded, out _, isUnsigned: true);
        return new WireGuardKey(encoded);
    }

    /// <summary>The X25519 scalar an Ed25519 seed stands for: the first half of SHA-512(seed), clamped (RFC 8032 §5.1.5).</summary>
    private static WireGuardKey X25519PrivateKeyOf(string seed)
    {
        byte[] scalar = SHA512.HashData(Convert.FromHexString(seed))[..32];
        X25519.ClampPrivateKey(scalar);
        return new WireGuardKey(scalar);
    }

    private static WireGuardKey X25519PublicKeyOf(string seed)
    {
        byte[] result = new byte[32];
        X25519.ScalarMultBase(X25519PrivateKeyOf(seed).Bytes.ToArray(), 0, result, 0);
        return new WireGuardKey(result);
    }
}
