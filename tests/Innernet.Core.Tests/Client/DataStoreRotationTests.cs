using Innernet.Core.Client;
using Innernet.Core.Keys;
using Innernet.Core.Model;

namespace Innernet.Core.Tests.Client;

public sealed class DataStoreRotationTests : IDisposable
{
    private static readonly KeyPair Server = KeyPair.Generate();
    private readonly string _dir = Directory.CreateTempSubdirectory("inn-core-rotation-").FullName;
    private readonly KeyPair _old = KeyPair.Generate();
    private readonly KeyPair _new = KeyPair.Generate();

    private string StorePath => Path.Combine(_dir, "evilcorp.json");

    private Peer Pinned => Fixtures.Laptop with { PublicKey = _old.Public };

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Update_ValidProof_MovesThePinDurably()
    {
        var store = PinnedStore();
        var rotated = Pinned with { PublicKey = _new.Public, KeyRotations = [Step(_old, Fixtures.Laptop.Ip, Server.Public, 1)] };

        store.UpdatePeersAndSetCidrs([Fixtures.Server, rotated], Fixtures.Cidrs);

        var reopened = DataStore.Open(StorePath, Server.Public);
        Assert.Equal(rotated, reopened.Peers.Single(p => p.Id == rotated.Id));
        Assert.Throws<PinningException>(() => reopened.CheckPins([Pinned]));
    }

    [Fact]
    public void ApplyDifference_ValidProof_MovesThePin()
    {
        var store = PinnedStore();
        var rotated = Pinned with { PublicKey = _new.Public, KeyRotations = [Step(_old, Fixtures.Laptop.Ip, Server.Public, 1)] };

        store.ApplyDifference([rotated], [], null);

        Assert.True(store.Save());
        Assert.Equal(_new.Public, DataStore.Open(StorePath).Peers.Single(p => p.Id == rotated.Id).PublicKey);
    }

    public static TheoryData<string> Forgeries => ["none", "other key", "other IP", "other network", "tampered"];

    [Theory]
    [MemberData(nameof(Forgeries))]
    public void Update_ChangedKeyWithoutValidProof_RefusedAndNothingWritten(string forgery)
    {
        var store = PinnedStore();
        byte[] before = File.ReadAllBytes(StorePath);
        IReadOnlyList<KeyRotation> proof = forgery switch
        {
            "none" => [],
            "other key" => [Step(KeyPair.Generate(), Fixtures.Laptop.Ip, Server.Public, 1) with { OldPublicKey = _old.Public }],
            "other IP" => [Step(_old, IPAddress.Parse("10.42.1.99"), Server.Public, 1)],
            "other network" => [Step(_old, Fixtures.Laptop.Ip, KeyPair.Generate().Public, 1)],
            _ => [Step(_old, Fixtures.Laptop.Ip, Server.Public, 1) with { PublicKey = KeyPair.Generate().Public }],
        };
        var rotated = Pinned with { PublicKey = _new.Public, KeyRotations = proof };

        var e = Assert.Throws<PinningException>(() => store.UpdatePeersAndSetCidrs([Fixtures.Server, rotated], Fixtures.Cidrs));

        Assert.StartsWith("PINNING ERROR:", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(StorePath));
        Assert.Throws<PinningException>(() => store.ApplyDifference([rotated], [], null));
        Assert.False(store.HasUnsavedChanges);
    }

    [Fact]
    public void CheckPins_StoreNotOpenedForTheNetwork_RefusesEvenAValidProof()
    {
        PinnedStore();
        var rotated = Pinned with { PublicKey = _new.Public, KeyRotations = [Step(_old, Fixtures.Laptop.Ip, Server.Public, 1)] };

        Assert.Throws<PinningException>(() => DataStore.Open(StorePath).CheckPins([rotated]));
    }

    private DataStore PinnedStore()
    {
        var store = DataStore.Open(StorePath, Server.Public);
        store.UpdatePeersAndSetCidrs([Fixtures.Server, Pinned], Fixtures.Cidrs);
        return store;
    }

    private KeyRotation Step(KeyPair from, IPAddress ip, Netlink.WireGuard.WireGuardKey network, long generation)
        => KeyRotationProof.Create(from.Private, network, ip, _new.Public, generation);
}
