using Innernet.Core.Keys;
using Innernet.Core.Model;

namespace Innernet.Core.Tests.Keys;

public sealed class KeyRotationProofTests
{
    private static readonly KeyPair Server = KeyPair.Generate();
    private static readonly IPAddress Ip = IPAddress.Parse("10.42.1.1");

    [Fact]
    public void Create_IsValidForItsNetworkIpKeysAndGeneration()
    {
        var old = KeyPair.Generate();
        var rotation = KeyRotationProof.Create(old.Private, Server.Public, Ip, KeyPair.Generate().Public, 1);

        Assert.Equal(old.Public, rotation.OldPublicKey);
        Assert.True(KeyRotationProof.IsValid(rotation, Server.Public, Ip));
    }

    [Fact]
    public void IsValid_AnyBoundFieldChanged_Fails()
    {
        var old = KeyPair.Generate();
        var rotation = KeyRotationProof.Create(old.Private, Server.Public, Ip, KeyPair.Generate().Public, 3);

        Assert.False(KeyRotationProof.IsValid(rotation, KeyPair.Generate().Public, Ip));
        Assert.False(KeyRotationProof.IsValid(rotation, Server.Public, IPAddress.Parse("10.42.1.2")));
        Assert.False(KeyRotationProof.IsValid(rotation, Server.Public, IPAddress.Parse("::ffff:10.42.1.2")));
        Assert.False(KeyRotationProof.IsValid(rotation with { PublicKey = KeyPair.Generate().Public }, Server.Public, Ip));
        Assert.False(KeyRotationProof.IsValid(rotation with { OldPublicKey = KeyPair.Generate().Public }, Server.Public, Ip));
        Assert.False(KeyRotationProof.IsValid(rotation with { Generation = 4 }, Server.Public, Ip));
        Assert.False(KeyRotationProof.IsValid(rotation with { Generation = 0 }, Server.Public, Ip));
        Assert.False(KeyRotationProof.IsValid(rotation with { Signature = "not base64!" }, Server.Public, Ip));
        Assert.False(KeyRotationProof.IsValid(rotation with { Signature = Convert.ToBase64String(new byte[64]) }, Server.Public, Ip));
    }

    [Fact]
    public void IsValid_SignedByAnotherKeyThanItsOldKey_Fails()
    {
        var old = KeyPair.Generate();
        var forged = KeyRotationProof.Create(KeyPair.Generate().Private, Server.Public, Ip, KeyPair.Generate().Public, 1)
            with { OldPublicKey = old.Public };

        Assert.False(KeyRotationProof.IsValid(forged, Server.Public, Ip));
    }

    [Fact]
    public void Message_IPv4AndItsMappedForm_AreTheSameBytes()
    {
        var key = KeyPair.Generate().Public;

        Assert.Equal(
            KeyRotationProof.Message(Server.Public, Ip, key, key, 1),
            KeyRotationProof.Message(Server.Public, Ip.MapToIPv6(), key, key, 1));
    }

    [Fact]
    public void ChainProblem_FollowsSeveralStepsFromThePin_RefusesGapsAndOldGenerations()
    {
        var k0 = KeyPair.Generate();
        var k1 = KeyPair.Generate();
        var k2 = KeyPair.Generate();
        var step1 = KeyRotationProof.Create(k0.Private, Server.Public, Ip, k1.Public, 1);
        var step2 = KeyRotationProof.Create(k1.Private, Server.Public, Ip, k2.Public, 2);
        var pinned = Fixtures.Laptop with { PublicKey = k0.Public };

        Assert.Null(KeyRotationProof.ChainProblem(pinned, pinned with { PublicKey = k2.Public, KeyRotations = [step1, step2] },
            Server.Public));
        Assert.NotNull(KeyRotationProof.ChainProblem(pinned, pinned with { PublicKey = k2.Public, KeyRotations = [step2] }, Server.Public));
        Assert.NotNull(KeyRotationProof.ChainProblem(pinned, pinned with { PublicKey = k2.Public, KeyRotations = [step1] }, Server.Public));

        // Pinned at k0 by generation 2 (k0 → k1 → k0): the generation-1 step from k0 is stale, though its signature holds.
        var back = KeyRotationProof.Create(k1.Private, Server.Public, Ip, k0.Public, 2);
        var pinnedLater = pinned with { KeyRotations = [step1, back] };
        Assert.Equal(2, KeyRotationProof.GenerationOf(pinnedLater));
        Assert.NotNull(KeyRotationProof.ChainProblem(pinnedLater, pinned with { PublicKey = k1.Public, KeyRotations = [step1] },
            Server.Public));
    }
}
