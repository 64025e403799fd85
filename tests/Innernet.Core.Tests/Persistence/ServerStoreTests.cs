using Innernet.Core.Model;
using Innernet.Core.Persistence;
using static Innernet.Core.Tests.Persistence.StoreTestSupport;

namespace Innernet.Core.Tests.Persistence;

/// <summary>
/// The store contract: every engine passes these (LiteDbServerStoreTests, PostgreSqlServerStoreTests). Creating, opening and
/// closing here; operations in the partials.
/// </summary>
public abstract partial class ServerStoreTests : IDisposable
{
    private readonly List<StoreDatabase> _databases = [];

    /// <summary>A new, empty database of the engine under test, removed after the test.</summary>
    protected StoreDatabase NewDatabase()
    {
        var database = CreateDatabase();
        _databases.Add(database);
        return database;
    }

    /// <summary>A store holding a network like <c>innernet-server new evilcorp</c>, in a new database of the engine under test.</summary>
    protected virtual ServerStore NewStore() => NewDatabase().Create(Network);

    /// <summary>The engine's fixture: a new, empty database.</summary>
    protected abstract StoreDatabase CreateDatabase();

    public void Dispose()
    {
        foreach (var database in _databases)
        {
            database.Dispose();
        }

        GC.SuppressFinalize(this);
    }

    [Fact]
    public void Create_NewNetwork_PopulatesInnernetFixedRows()
    {
        using var store = NewStore();

        Assert.Equal(
            [
                new Cidr(1, "evilcorp", RootRange, null),
                new Cidr(2, "innernet-server", IPNetwork.Parse("10.42.0.1/32"), 1),
            ],
            store.ListCidrs());
        var server = Assert.Single(store.ListPeers());
        Assert.Equal(
            new Peer
            {
                Id = 1,
                Name = "innernet-server",
                Ip = ServerIp,
                CidrId = 2,
                PublicKey = ServerKey,
                Endpoint = ServerEndpoint,
                IsAdmin = true,
                IsDisabled = false,
                IsRedeemed = true,
                InviteExpires = null,
                Candidates = [],
            },
            server);
        Assert.Empty(store.ListAssociations());
    }

    [Fact]
    public void Create_Ipv6Network_InfraCidrIsSlash128()
    {
        var network = Network with { Root = IPNetwork.Parse("fd00:42::/64"), ServerIp = IPAddress.Parse("fd00:42::1") };
        using var store = NewDatabase().Create(network);

        Assert.Equal(IPNetwork.Parse("fd00:42::1/128"), store.GetCidr(Cidr.InfraId)!.Network);
        Assert.Equal(IPAddress.Parse("fd00:42::1"), store.GetPeer(Peer.ServerId)!.Ip);
    }

    [Fact]
    public void Create_ZeroServerKey_ThrowsValidation()
    {
        var e = Assert.Throws<ValidationException>(
            () => NewDatabase().Create(Network with { ServerPublicKey = default }));
        Assert.Contains("public_key", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_AfterClose_SeesEverythingAndIdsContinue()
    {
        var database = NewDatabase();
        var now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        IReadOnlyList<Cidr> cidrs;
        IReadOnlyList<Peer> peers;
        IReadOnlyList<Association> associations;
        using (var store = database.Create(Network))
        {
            var humans = AddHumans(store);
            var robots = AddRobots(store);
            store.RenameCidr(robots.Id, "machines");
            var laptop = store.AddPeer(NewPeer("laptop", "10.42.1.1", humans.Id, candidates: Endpoints(2)));
            store.AddPeer(NewPeer("phone", "10.42.1.2", humans.Id, isRedeemed: false, inviteExpires: now.AddDays(1)));
            var unused = store.AddAssociation(new AssociationContents(humans.Id, Cidr.InfraId));
            store.AddAssociation(new AssociationContents(robots.Id, humans.Id));
            store.DeleteAssociation(unused.Id);
            store.UpdatePeer(laptop.Id, PeerUpdate.From(laptop) with { Endpoint = Endpoint.Parse("[2001:db8::1]:51820") });
            store.SetDisabled(laptop.Id, true);
            store.AddPeer(NewPeer("old-invite", "10.42.2.9", robots.Id, isRedeemed: false, inviteExpires: now.AddDays(-1)));
            Assert.Single(store.DeleteExpiredInvitations(now)); // peer 4, the highest id, is gone
            var unusedCidr = store.AddCidr(new CidrContents("spare", IPNetwork.Parse("10.42.9.0/24"), Cidr.RootId));
            store.DeleteCidr(unusedCidr.Id); // CIDR 5, the highest id, is gone
            cidrs = store.ListCidrs();
            peers = store.ListPeers();
            associations = store.ListAssociations();
        }

        using (var reopened = database.Open())
        {
            Assert.Equal(cidrs, reopened.ListCidrs());
            Assert.Equal(peers, reopened.ListPeers());
            Assert.Equal(associations, reopened.ListAssociations());
            Assert.Equal(now.AddDays(1), reopened.GetPeerByName("phone")!.InviteExpires);

            Assert.Equal(5, reopened.AddPeer(NewPeer("tablet", "10.42.1.3", 3)).Id);
            Assert.Equal(6, reopened.AddCidr(new CidrContents("spare", IPNetwork.Parse("10.42.9.0/24"), Cidr.RootId)).Id);
            Assert.Equal(3, reopened.AddAssociation(new AssociationContents(3, Cidr.InfraId)).Id);
        }
    }

    [Fact]
    public void Dispose_Twice_IsHarmlessAndLaterCallsThrowObjectDisposed()
    {
        var store = NewStore();
        store.Dispose();
        store.Dispose();

        Assert.Throws<ObjectDisposedException>(() => store.ListPeers());
        Assert.Throws<ObjectDisposedException>(() => store.AddCidr(new CidrContents("x", IPNetwork.Parse("10.42.7.0/24"), 1)));
    }
}
