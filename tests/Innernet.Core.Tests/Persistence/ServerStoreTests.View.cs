using Innernet.Core.Model;
using Innernet.Core.Persistence;
using static Innernet.Core.Tests.Persistence.StoreTestSupport;

namespace Innernet.Core.Tests.Persistence;

public abstract partial class ServerStoreTests
{
    [Fact]
    public void GetView_NoWriteInBetween_ReturnsTheSameInstance()
    {
        using var store = NewStore();
        AddHumans(store);

        Assert.Same(store.GetView(), store.GetView());
    }

    [Fact]
    public void GetView_WriteThatChangesNothing_KeepsTheCachedView()
    {
        // Clients report the same candidates on every fetch; that must not cost a view rebuild.
        using var store = NewStore();
        var laptop = store.AddPeer(NewPeer("laptop", "10.42.1.1", AddHumans(store).Id, candidates: Endpoints(2)));
        var view = store.GetView();

        store.SetCandidates(laptop.Id, Endpoints(2));
        store.SetDisabled(laptop.Id, false);
        store.UpdatePeer(laptop.Id, PeerUpdate.From(laptop));

        Assert.Same(view, store.GetView());
    }

    [Fact]
    public void GetView_AfterEachKindOfWrite_ReflectsTheChange()
    {
        using var store = NewStore();
        var humans = AddHumans(store);
        var robots = AddRobots(store);
        var laptop = store.AddPeer(NewPeer("laptop", "10.42.1.1", humans.Id));
        var robot = store.AddPeer(NewPeer("robot", "10.42.2.1", robots.Id));

        Assert.Equal(["innernet-server", "laptop"], store.GetVisiblePeers(laptop.Id).Select(p => p.Name));

        var before = store.GetView();
        var association = store.AddAssociation(new AssociationContents(humans.Id, robots.Id));
        Assert.NotSame(before, store.GetView());
        Assert.Equal(["innernet-server", "laptop", "robot"], store.GetVisiblePeers(laptop.Id).Select(p => p.Name));

        store.SetDisabled(robot.Id, true);
        Assert.Equal(["innernet-server", "laptop"], store.GetVisiblePeers(laptop.Id).Select(p => p.Name));

        store.SetDisabled(robot.Id, false);
        store.SetCandidates(robot.Id, Endpoints(1));
        Assert.Equal(Endpoints(1), store.GetVisiblePeers(laptop.Id).Single(p => p.Id == robot.Id).Candidates);

        store.DeleteAssociation(association.Id);
        Assert.Equal(["innernet-server", "laptop"], store.GetVisiblePeers(laptop.Id).Select(p => p.Name));
    }

    [Fact]
    public void GetVisiblePeers_UnredeemedInvitee_SeesNothingUntilRedeemed()
    {
        using var store = NewStore();
        var invite = store.AddPeer(NewPeer("laptop", "10.42.1.1", AddHumans(store).Id, isRedeemed: false));

        Assert.Equal(["innernet-server"], store.GetVisiblePeers(invite.Id).Select(p => p.Name));

        store.Redeem(invite.Id, Key(9), DateTimeOffset.UtcNow);
        Assert.Equal(["innernet-server", "laptop"], store.GetVisiblePeers(invite.Id).Select(p => p.Name));
    }

    [Fact]
    public void GetState_ReturnsVisiblePeersAndEveryCidr()
    {
        using var store = NewStore();
        var humans = AddHumans(store);
        var robots = AddRobots(store);
        var laptop = store.AddPeer(NewPeer("laptop", "10.42.1.1", humans.Id));
        store.AddPeer(NewPeer("robot", "10.42.2.1", robots.Id));

        var state = store.GetState(laptop.Id);

        Assert.Equal([store.GetPeer(1)!, laptop], state.Peers);
        Assert.Equal(store.ListCidrs(), state.Cidrs);
        Assert.Throws<NotFoundException>(() => store.GetState(42));
    }
}
