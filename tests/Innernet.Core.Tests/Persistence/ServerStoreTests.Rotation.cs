using Innernet.Core.Contracts;
using Innernet.Core.Keys;
using Innernet.Core.Model;
using Innernet.Core.Persistence;
using static Innernet.Core.Tests.Persistence.StoreTestSupport;

namespace Innernet.Core.Tests.Persistence;

/// <summary>Rotating a redeemed peer's key: only with a valid step from its current key, kept durably with the history.</summary>
public abstract partial class ServerStoreTests
{
    [Fact]
    public void RotateKey_ValidStep_SwapsTheKeyKeepsTheHistoryAndSurvivesReopen()
    {
        var database = NewDatabase();
        var old = KeyPair.Generate();
        var next = KeyPair.Generate();
        Peer laptop;
        KeyRotation step;
        using (var store = database.Create(Network))
        {
            laptop = store.AddPeer(NewPeer("laptop", "10.42.1.1", AddHumans(store).Id, key: old.Public));
            step = KeyRotationProof.Create(old.Private, ServerKey, laptop.Ip, next.Public, 1);

            var change = store.RotateKey(laptop.Id, step);

            Assert.Equal(laptop, change.Before);
            Assert.Equal(laptop with { PublicKey = next.Public, KeyRotations = [step] }, change.After);
            Assert.Equal(laptop.Id, store.GetPeerByIp(laptop.Ip)!.Id);

            // A repeat of the applied step (the answer was lost) changes nothing, even with a fresh signature.
            long version = store.Version;
            var repeat = store.RotateKey(laptop.Id, KeyRotationProof.Create(old.Private, ServerKey, laptop.Ip, next.Public, 1));
            Assert.Same(repeat.Before, repeat.After);
            Assert.Equal(version, store.Version);
        }

        using var reopened = database.Open();
        var stored = reopened.GetPeer(laptop.Id)!;
        Assert.Equal(next.Public, stored.PublicKey);
        Assert.Equal([step], stored.KeyRotations);
    }

    [Fact]
    public void RotateKey_BadSteps_RefusedAndNothingChanges()
    {
        using var store = NewStore();
        var old = KeyPair.Generate();
        var laptop = store.AddPeer(NewPeer("laptop", "10.42.1.1", AddHumans(store).Id, key: old.Public));
        var other = store.AddPeer(NewPeer("phone", "10.42.1.2", laptop.CidrId, key: Key(9)));
        var next = KeyPair.Generate().Public;
        long version = store.Version;

        void Refused(KeyRotation step, string field)
            => Assert.StartsWith(field, Assert.Throws<ValidationException>(() => store.RotateKey(laptop.Id, step)).Message,
                StringComparison.Ordinal);

        Refused(KeyRotationProof.Create(KeyPair.Generate().Private, ServerKey, laptop.Ip, next, 1), "rotation.old_public_key");
        Refused(KeyRotationProof.Create(old.Private, ServerKey, laptop.Ip, next, 2), "rotation.generation");
        Refused(KeyRotationProof.Create(old.Private, ServerKey, other.Ip, next, 1), "rotation.signature");
        Refused(KeyRotationProof.Create(old.Private, Key(1), laptop.Ip, next, 1), "rotation.signature");
        Refused(KeyRotationProof.Create(old.Private, ServerKey, laptop.Ip, Key(9), 1), "public_key: this key is already used");
        Refused(KeyRotationProof.Create(old.Private, ServerKey, laptop.Ip, ServerKey, 1), "rotation.public_key: this is the server");
        Refused(KeyRotationProof.Create(old.Private, ServerKey, laptop.Ip, old.Public, 1), "rotation.public_key: this peer used");
        Assert.Throws<ValidationException>(() =>
            store.RotateKey(laptop.Id, KeyRotationProof.Create(old.Private, ServerKey, laptop.Ip, WireGuardKey0(), 1)));
        Assert.Equal(version, store.Version);
        Assert.Equal(laptop, store.GetPeer(laptop.Id));
    }

    [Fact]
    public void RotateKey_DisabledUnredeemedOrServer_Refused()
    {
        using var store = NewStore();
        var old = KeyPair.Generate();
        var humans = AddHumans(store);
        var invite = store.AddPeer(NewPeer("invite", "10.42.1.3", humans.Id, key: old.Public, isRedeemed: false, inviteExpires: Now));
        var step = KeyRotationProof.Create(old.Private, ServerKey, invite.Ip, KeyPair.Generate().Public, 1);
        Assert.Throws<ValidationException>(() => store.RotateKey(invite.Id, step));
        Assert.Throws<ValidationException>(() => store.RotateKey(Peer.ServerId, step));

        var laptop = store.AddPeer(NewPeer("laptop", "10.42.1.1", humans.Id, key: KeyPair.Generate().Public));
        store.SetDisabled(laptop.Id, true);
        Assert.Throws<UnauthorizedException>(() => store.RotateKey(laptop.Id, step));
        Assert.Throws<NotFoundException>(() => store.RotateKey(999, step));
    }

    [Fact]
    public void RotateKey_HistoryKeepsTheLastSteps_AndServesThemAsKeyRotations()
    {
        using var store = NewStore();
        var current = KeyPair.Generate();
        var laptop = store.AddPeer(NewPeer("laptop", "10.42.1.1", AddHumans(store).Id, key: current.Public));
        for (int generation = 1; generation <= KeyRotationProof.MaxHistory + 2; generation++)
        {
            var next = KeyPair.Generate();
            store.RotateKey(laptop.Id, KeyRotationProof.Create(current.Private, ServerKey, laptop.Ip, next.Public, generation));
            current = next;
        }

        var stored = store.GetPeer(laptop.Id)!;
        Assert.Equal(KeyRotationProof.MaxHistory, stored.KeyRotations.Count);
        Assert.Equal(KeyRotationProof.MaxHistory + 2, KeyRotationProof.GenerationOf(stored));
        string json = InnernetJson.Serialize(stored);
        Assert.Contains("\"key_rotations\":[{\"generation\":3,", json, StringComparison.Ordinal);
        Assert.Equal(stored, InnernetJson.Deserialize<Peer>(json));
        Assert.DoesNotContain("key_rotations", InnernetJson.Serialize(laptop), StringComparison.Ordinal);
    }

    private static Netlink.WireGuard.WireGuardKey WireGuardKey0() => Netlink.WireGuard.WireGuardKey.Zero;
}
