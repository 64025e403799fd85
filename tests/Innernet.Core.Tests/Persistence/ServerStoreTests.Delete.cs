using Innernet.Core.Model;
using Innernet.Core.Persistence;
using static Innernet.Core.Tests.Persistence.StoreTestSupport;

namespace Innernet.Core.Tests.Persistence;

/// <summary>Deleting peers for good: name freed, id never reused, IP reserved from newcomers until a given time.</summary>
public abstract partial class ServerStoreTests
{
    [Fact]
    public void DeletePeer_FreesTheNameAndKeepsTheIpReserved()
    {
        using var store = NewStore();
        var humans = AddHumans(store);
        var laptop = store.AddPeer(NewPeer("laptop", "10.42.1.1", humans.Id, key: Key(1)));

        var deleted = store.DeletePeer(laptop.Id, Now.AddDays(30));

        Assert.Equal(laptop, deleted);
        Assert.Null(store.GetPeer(laptop.Id));
        Assert.Null(store.GetPeerByIp(laptop.Ip));
        Assert.Equal([new ReservedIp(laptop.Ip, laptop.Id, "laptop", Now.AddDays(30))], store.ListReservedIps());
        var e = Assert.Throws<ValidationException>(() => store.AddPeer(NewPeer("phone", "10.42.1.1", humans.Id, key: Key(2))));
        Assert.Contains("IP 10.42.1.1 belonged to the deleted peer 'laptop' and is reserved until", e.Message, StringComparison.Ordinal);
        Assert.Equal(IPAddress.Parse("10.42.1.2"), store.FindFreeIp(humans.Id));

        // The name and the key are free at once; the id is not handed out again.
        var again = store.AddPeer(NewPeer("laptop", "10.42.1.2", humans.Id, key: Key(1)));
        Assert.Equal(laptop.Id + 1, again.Id);
    }

    [Fact]
    public void DeletePeer_WithoutReservation_FreesTheIpAtOnce()
    {
        using var store = NewStore();
        var humans = AddHumans(store);
        var laptop = store.AddPeer(NewPeer("laptop", "10.42.1.1", humans.Id, key: Key(1)));

        store.DeletePeer(laptop.Id, reserveIpUntil: null);

        Assert.Empty(store.ListReservedIps());
        Assert.Equal(laptop.Ip, store.FindFreeIp(humans.Id));
        Assert.Equal(laptop.Ip, store.AddPeer(NewPeer("phone", "10.42.1.1", humans.Id, key: Key(2))).Ip);
    }

    [Fact]
    public void ReleaseExpiredIps_FreesOnlyReservationsWhoseTimeHasCome()
    {
        using var store = NewStore();
        var humans = AddHumans(store);
        var a = store.AddPeer(NewPeer("a", "10.42.1.1", humans.Id, key: Key(1)));
        var b = store.AddPeer(NewPeer("b", "10.42.1.2", humans.Id, key: Key(2)));
        store.DeletePeer(a.Id, Now);
        store.DeletePeer(b.Id, Now.AddSeconds(1));

        var released = store.ReleaseExpiredIps(Now);

        Assert.Equal([a.Ip], released.Select(r => r.Ip));
        Assert.Equal([b.Ip], store.ListReservedIps().Select(r => r.Ip));
        Assert.Empty(store.ReleaseExpiredIps(Now));
        Assert.Equal(a.Ip, store.FindFreeIp(humans.Id));
    }

    [Theory]
    [InlineData(1L, typeof(ValidationException), "server (peer 1) cannot be deleted")]
    [InlineData(42L, typeof(NotFoundException), "Peer 42 does not exist")]
    public void DeletePeer_ServerOrUnknown_IsRefusedAndChangesNothing(long id, Type expected, string message)
    {
        using var store = NewStore();
        long version = store.Version;

        var e = Assert.Throws(expected, () => store.DeletePeer(id, Now));

        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.Equal(version, store.Version);
        Assert.Single(store.ListPeers());
    }

    [Fact]
    public void DeletePeer_SurvivesReopen()
    {
        var database = NewDatabase();
        long laptopId;
        using (var store = database.Create(Network))
        {
            var humans = AddHumans(store);
            laptopId = store.AddPeer(NewPeer("laptop", "10.42.1.1", humans.Id, key: Key(1))).Id;
            store.AddPeer(NewPeer("phone", "10.42.1.2", humans.Id, key: Key(2)));
            store.DeletePeer(laptopId, Now.AddDays(30));
        }

        using var reopened = database.Open();

        Assert.Null(reopened.GetPeer(laptopId));
        Assert.Equal([new ReservedIp(IPAddress.Parse("10.42.1.1"), laptopId, "laptop", Now.AddDays(30))], reopened.ListReservedIps());
        Assert.Equal(IPAddress.Parse("10.42.1.3"), reopened.FindFreeIp(3));
    }
}
