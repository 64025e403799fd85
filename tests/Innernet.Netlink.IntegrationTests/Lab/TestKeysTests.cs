using Innernet.Netlink.WireGuard;
using Innernet.Testing;

namespace Innernet.Netlink.IntegrationTests.Lab;

/// <summary>The test-key helper itself (unit layer: no privileges needed).</summary>
public sealed class TestKeysTests
{
    // RFC-style vector: wg pubkey <<< SGb+ojrRNDuMePufwtIYhXzA//k6wF3R21tEBgKlzlM=
    private const string VectorPrivate = "SGb+ojrRNDuMePufwtIYhXzA//k6wF3R21tEBgKlzlM=";
    private const string VectorPublic = "DD5yKRfzExcV5+kDnTroDgCU15latdMjiQ59j1hEuk8=";

    [Fact]
    public void PublicKeyOf_KnownVector_MatchesWgPubkey()
    {
        var publicKey = TestKeys.PublicKeyOf(WireGuardKey.Parse(VectorPrivate));

        Assert.Equal(VectorPublic, publicKey.ToBase64());
    }

    [Fact]
    public void NewKeyPair_PrivateKey_IsClamped()
    {
        for (int i = 0; i < 32; i++)
        {
            var pair = TestKeys.NewKeyPair();
            var bytes = pair.PrivateKey.Bytes;
            Assert.Equal(0, bytes[0] & 7);
            Assert.Equal(0x40, bytes[31] & 0xC0);
        }
    }

    [Fact]
    public void NewKeyPair_PublicKey_IsDerivedFromPrivateKey()
    {
        var pair = TestKeys.NewKeyPair();

        Assert.Equal(TestKeys.PublicKeyOf(pair.PrivateKey), pair.PublicKey);
        Assert.NotEqual(pair.PrivateKey, pair.PublicKey);
    }

    [Fact]
    public void NewKeyPair_TwoCalls_GiveDifferentKeys()
    {
        Assert.NotEqual(TestKeys.NewKeyPair().PrivateKey, TestKeys.NewKeyPair().PrivateKey);
    }

    [Fact]
    public void ToString_KeyPair_DoesNotContainPrivateKey()
    {
        var pair = TestKeys.NewKeyPair();

        Assert.DoesNotContain(pair.PrivateKey.ToBase64(), pair.ToString(), StringComparison.Ordinal);
        Assert.Contains(pair.PublicKey.ToBase64(), pair.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void PublicKeyOf_WgPubkeyAvailable_AgreesWithWgTool()
    {
        Prerequisites.Require(Prerequisites.FindOnPath("wg") is not null, "needs wg (wireguard-tools; ./build.sh setup)");

        var pair = TestKeys.NewKeyPair();
        var result = ProcessRunner.Run("wg", ["pubkey"], standardInput: pair.PrivateKey.ToBase64() + "\n").EnsureSuccess();

        Assert.Equal(pair.PublicKey.ToBase64(), result.StandardOutput.Trim());
    }
}
