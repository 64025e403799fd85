using Innernet.Core.Model;
using static Innernet.Core.Tests.Persistence.StoreTestSupport;

namespace Innernet.Core.Tests.Persistence;

public abstract partial class ServerStoreTests
{
    [Fact]
    public void AddAssociation_TwoExistingCidrs_IsStoredInTheGivenOrder()
    {
        using var store = NewStore();
        var humans = AddHumans(store);
        var robots = AddRobots(store);

        var association = store.AddAssociation(new AssociationContents(robots.Id, humans.Id));

        Assert.Equal(new Association(1, robots.Id, humans.Id), association);
        Assert.Equal([association], store.ListAssociations());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AddAssociation_ExistingPairInEitherOrder_ThrowsValidation(bool reversed)
    {
        using var store = NewStore();
        var humans = AddHumans(store);
        var robots = AddRobots(store);
        store.AddAssociation(new AssociationContents(humans.Id, robots.Id));

        var e = Assert.Throws<ValidationException>(() => store.AddAssociation(
            reversed ? new AssociationContents(robots.Id, humans.Id) : new AssociationContents(humans.Id, robots.Id)));

        Assert.Contains("already associated (association 1)", e.Message, StringComparison.Ordinal);
        Assert.Single(store.ListAssociations());
    }

    [Theory]
    [InlineData(3L, 3L, "both 3")]
    [InlineData(3L, 99L, "cidr_id_2: CIDR 99 does not exist")]
    [InlineData(99L, 3L, "cidr_id_1: CIDR 99 does not exist")]
    public void AddAssociation_SameOrUnknownCidr_ThrowsValidation(long first, long second, string expected)
    {
        using var store = NewStore();
        AddHumans(store);

        var e = Assert.Throws<ValidationException>(() => store.AddAssociation(new AssociationContents(first, second)));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Empty(store.ListAssociations());
    }

    [Fact]
    public void DeleteAssociation_Existing_RemovesItAndThePairCanBeAddedAgainWithANewId()
    {
        using var store = NewStore();
        var humans = AddHumans(store);
        var robots = AddRobots(store);
        var first = store.AddAssociation(new AssociationContents(humans.Id, robots.Id));

        store.DeleteAssociation(first.Id);
        var second = store.AddAssociation(new AssociationContents(robots.Id, humans.Id));

        Assert.Equal([second], store.ListAssociations());
        Assert.Equal(2, second.Id);
    }

    [Fact]
    public void DeleteAssociation_UnknownId_ThrowsNotFound()
    {
        using var store = NewStore();
        Assert.Throws<NotFoundException>(() => store.DeleteAssociation(1));
    }
}
