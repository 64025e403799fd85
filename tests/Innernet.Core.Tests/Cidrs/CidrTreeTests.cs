using Innernet.Core.Cidrs;
using Innernet.Core.Model;
using Innernet.Netlink.Route;

namespace Innernet.Core.Tests.Cidrs;

public sealed class CidrTreeTests
{
    private static readonly Cidr Bots = new(5, "bots", IPNetwork.Parse("10.42.2.0/25"), 4);
    private static readonly Cidr Arms = new(6, "arms", IPNetwork.Parse("10.42.2.0/26"), 5);
    private static readonly CidrTree Tree = new([.. Fixtures.Cidrs, Arms, Bots]);

    [Fact]
    public void Root_IsParentlessShortestPrefix() => Assert.Equal(Fixtures.Root, Tree.Root);

    [Fact]
    public void GetChildren_ReturnsDirectChildrenById()
    {
        Assert.Equal([Fixtures.Infra, Fixtures.Humans, Fixtures.Robots], Tree.GetChildren(1));
        Assert.Equal([Bots], Tree.GetChildren(4));
        Assert.Empty(Tree.GetChildren(3));
    }

    [Fact]
    public void GetAncestors_WalksUpToRoot() => Assert.Equal([Bots, Fixtures.Robots, Fixtures.Root], Tree.GetAncestors(6));

    [Fact]
    public void GetDescendants_ReturnsWholeSubtree()
    {
        Assert.Equal([Bots, Arms], Tree.GetDescendants(4));
        Assert.Equal(6, Tree.GetDescendants(1).Count + 1);
    }

    [Fact]
    public void IsLeaf_TrueOnlyWithoutChildren()
    {
        Assert.True(Tree.IsLeaf(3));
        Assert.True(Tree.IsLeaf(6));
        Assert.False(Tree.IsLeaf(4));
    }

    [Fact]
    public void UnknownId_ThrowsNotFound()
    {
        Assert.Throws<NotFoundException>(() => Tree.GetChildren(99));
        Assert.Throws<NotFoundException>(() => Tree.Get(99));
        Assert.Null(Tree.Find(99));
    }

    [Fact]
    public void GetInterfaceAddress_UsesRootPrefix()
    {
        Assert.Equal("10.42.1.2/16", Tree.GetInterfaceAddress(IPAddress.Parse("10.42.1.2")).ToString());
        Assert.Throws<ValidationException>(() => Tree.GetInterfaceAddress(IPAddress.Parse("10.43.0.1")));
    }

    [Fact]
    public void Constructor_Cycle_Throws()
    {
        var e = Assert.Throws<ValidationException>(() => new CidrTree(
        [
            new Cidr(1, "a", IPNetwork.Parse("10.0.0.0/8"), 2),
            new Cidr(2, "b", IPNetwork.Parse("10.0.0.0/9"), 1),
        ]));
        Assert.Contains("cycle", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_DuplicateId_Throws()
        => Assert.Throws<ValidationException>(() => new CidrTree([Fixtures.Root, Fixtures.Root with { Name = "x" }]));

    [Fact]
    public void Root_Empty_ThrowsNotFound() => Assert.Throws<NotFoundException>(() => new CidrTree([]).Root);
}
