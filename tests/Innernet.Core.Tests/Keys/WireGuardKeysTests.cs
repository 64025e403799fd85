using Innernet.Core.Keys;
using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Tests.Keys;

public sealed class WireGuardKeysTests
{
    [Fact]
    public void GetPublicKey_TestVector_MatchesInnernet()
        => Assert.Equal(TestKeys.VectorPublic, WireGuardKeys.GetPublicKey(WireGuardKey.Parse(TestKeys.VectorPrivate)).ToBase64());

    [Fact]
    public void GetPublicKey_Rfc7748Vector_MatchesAlice()
    {
        // RFC 7748 §6.1: Alice's private key and public key.
        var alice = WireGuardKey.FromHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        Assert.Equal("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", WireGuardKeys.GetPublicKey(alice).ToHex());
    }

    [Fact]
    public void GeneratePrivateKey_IsClampedAndRandom()
    {
        var keys = Enumerable.Range(0, 64).Select(_ => WireGuardKeys.GeneratePrivateKey()).ToList();

        Assert.All(keys, k =>
        {
            Assert.Equal(0, k.Bytes[0] & 7);
            Assert.Equal(0, k.Bytes[31] & 0x80);
            Assert.Equal(0x40, k.Bytes[31] & 0x40);
        });
        Assert.Equal(keys.Count, keys.Distinct().Count());
    }

    [Fact]
    public void GeneratePresharedKey_IsRandom()
    {
        var a = WireGuardKeys.GeneratePresharedKey();
        var b = WireGuardKeys.GeneratePresharedKey();
        Assert.NotEqual(a, b);
        Assert.False(a.IsZero);
    }

    [Fact]
    public void KeyPair_FromPrivate_DerivesPublic()
    {
        var pair = KeyPair.FromPrivate(WireGuardKey.Parse(TestKeys.VectorPrivate));
        Assert.Equal(TestKeys.VectorPublic, pair.Public.ToBase64());
    }

    [Fact]
    public void KeyPair_Generate_IsConsistent()
    {
        var pair = KeyPair.Generate();
        Assert.Equal(WireGuardKeys.GetPublicKey(pair.Private), pair.Public);
    }

    [Fact]
    public void KeyPair_ToString_HidesPrivateKey()
    {
        var pair = KeyPair.FromPrivate(WireGuardKey.Parse(TestKeys.VectorPrivate));
        Assert.DoesNotContain(TestKeys.VectorPrivate, pair.ToString(), StringComparison.Ordinal);
        Assert.Contains(TestKeys.VectorPublic, pair.ToString(), StringComparison.Ordinal);
    }
}
