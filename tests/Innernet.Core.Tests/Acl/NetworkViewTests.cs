using Innernet.Core.Acl;
using Innernet.Core.Model;

namespace Innernet.Core.Tests.Acl;

public sealed class NetworkViewTests
{
    // root(1) ─┬─ infra(2): server
    //          ├─ humans(3) ─┬─ admins(5): alice
    //          │             └─ staff(6): bob, carol(disabled), dave(unredeemed)
    //          ├─ robots(4): r2
    //          └─ guests(7): guest
    private static readonly Cidr[] Cidrs =
    [
        Fixtures.Root, Fixtures.Infra, Fixtures.Humans, Fixtures.Robots,
        new(5, "admins", IPNetwork.Parse("10.42.1.0/25"), 3),
        new(6, "staff", IPNetwork.Parse("10.42.1.128/25"), 3),
        new(7, "guests", IPNetwork.Parse("10.42.3.0/24"), 1),
    ];

    private static readonly Peer[] Peers =
    [
        Fixtures.Server,
        Fixtures.MakePeer(2, "alice", "10.42.1.1", 5),
        Fixtures.MakePeer(3, "bob", "10.42.1.129", 6),
        Fixtures.MakePeer(4, "carol", "10.42.1.130", 6, isDisabled: true),
        Fixtures.MakePeer(5, "dave", "10.42.1.131", 6, isRedeemed: false),
        Fixtures.MakePeer(6, "r2", "10.42.2.1", 4),
        Fixtures.MakePeer(7, "guest", "10.42.3.1", 7),
    ];

    [Fact]
    public void NoAssociations_SeesOwnCidrAndServerOnly()
    {
        var view = new NetworkView(Cidrs, Peers, []);

        Assert.Equal(["innernet-server", "bob"], Names(view.GetVisiblePeers(3)));
        Assert.Equal(["innernet-server", "alice"], Names(view.GetVisiblePeers(2)));
    }

    [Fact]
    public void Server_SeesOnlyInfraSubtreeWithoutAssociations()
        => Assert.Equal(["innernet-server"], Names(new NetworkView(Cidrs, Peers, []).GetVisiblePeers(1)));

    [Fact]
    public void AssociationWithAncestor_GrantsVisibilityOfOtherSubtree()
    {
        // humans(3) <-> robots(4): everyone under humans sees robots and r2 sees all of humans' subtree.
        var view = new NetworkView(Cidrs, Peers, [new Association(1, 3, 4)]);

        Assert.Equal(["innernet-server", "alice", "r2"], Names(view.GetVisiblePeers(2)));
        Assert.Equal(["innernet-server", "alice", "bob", "r2"], Names(view.GetVisiblePeers(6)));
        Assert.Equal(["innernet-server", "guest"], Names(view.GetVisiblePeers(7)));
    }

    [Fact]
    public void AssociationWithRoot_SeesEveryoneAndIsSeenByEveryone()
    {
        var view = new NetworkView(Cidrs, Peers, [new Association(1, 1, 7)]);

        Assert.Equal(["innernet-server", "alice", "bob", "r2", "guest"], Names(view.GetVisiblePeers(7)));
        Assert.Contains("guest", Names(view.GetVisiblePeers(6)));
        Assert.Contains("guest", Names(view.GetVisiblePeers(2)));
    }

    [Fact]
    public void SiblingsAndPeersOfAncestors_AreNotVisibleWithoutAssociation()
    {
        Peer[] peers = [.. Peers, Fixtures.MakePeer(8, "parent-peer", "10.42.1.200", 3)];
        var view = new NetworkView(Cidrs, peers, []);

        Assert.DoesNotContain("parent-peer", Names(view.GetVisiblePeers(3)));
        Assert.Contains("bob", Names(view.GetVisiblePeers(8)));
    }

    [Fact]
    public void DisabledOrUnredeemedRequester_IsNotInItsOwnView()
    {
        var view = new NetworkView(Cidrs, Peers, []);

        Assert.Equal(["innernet-server", "bob"], Names(view.GetVisiblePeers(4)));
        Assert.Equal(["innernet-server", "bob"], Names(view.GetVisiblePeers(5)));
    }

    [Fact]
    public void CanSee_MatchesGetVisiblePeers()
    {
        var view = new NetworkView(Cidrs, Peers, [new Association(1, 5, 7)]);

        Assert.True(view.CanSee(2, 7));
        Assert.True(view.CanSee(7, 2));
        Assert.False(view.CanSee(3, 7));
        Assert.False(view.CanSee(2, 4));
        Assert.False(view.CanSee(99, 1));
    }

    [Fact]
    public void UnknownPeer_ThrowsNotFound()
        => Assert.Throws<NotFoundException>(() => new NetworkView(Cidrs, Peers, []).GetVisiblePeers(99));

    private static List<string> Names(IReadOnlyList<Peer> peers) => [.. peers.Select(p => p.Name)];
}
