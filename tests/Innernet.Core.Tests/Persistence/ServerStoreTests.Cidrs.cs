using Innernet.Core.Model;
using Innernet.Core.Persistence;
using static Innernet.Core.Tests.Persistence.StoreTestSupport;

namespace Innernet.Core.Tests.Persistence;

public abstract partial class ServerStoreTests
{
    [Fact]
    public void AddCidr_Valid_GetsNextIdAndIsListed()
    {
        using var store = NewStore();

        var humans = AddHumans(store);
        var robots = AddRobots(store);

        Assert.Equal(new Cidr(3, "humans", IPNetwork.Parse("10.42.1.0/24"), 1), humans);
        Assert.Equal(4, robots.Id);
        Assert.Equal([1L, 2L, 3L, 4L], store.ListCidrs().Select(c => c.Id));
        Assert.Equal(robots, store.GetCidr(4));
        Assert.Null(store.GetCidr(5));
    }

    [Theory]
    [InlineData("humans", "10.42.3.0/24", 1L, "named 'humans' already exists")]
    [InlineData("others", "10.42.1.0/24", 1L, "10.42.1.0/24 already exists (named 'humans')")]
    [InlineData("others", "10.43.0.0/24", 1L, "outside the network's root CIDR")]
    [InlineData("others", "10.42.1.0/25", 3L, "peer(s) attached directly")]
    [InlineData("Others", "10.42.3.0/24", 1L, "CIDR name 'Others'")]
    [InlineData("others", "10.42.3.0/24", 99L, "Parent CIDR 99")]
    public void AddCidr_BrokenRule_ThrowsValidationAndStoresNothing(string name, string range, long parent, string expected)
    {
        using var store = NewStore();
        var humans = AddHumans(store);
        store.AddPeer(NewPeer("laptop", "10.42.1.1", humans.Id));
        var before = store.ListCidrs();

        var e = Assert.Throws<ValidationException>(
            () => store.AddCidr(new CidrContents(name, IPNetwork.Parse(range), parent)));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Equal(before, store.ListCidrs());
        Assert.Equal(4, AddRobots(store).Id); // a refused insert uses no id
    }

    [Fact]
    public void RenameCidr_ValidName_IsStored()
    {
        using var store = NewStore();
        var humans = AddHumans(store);

        store.RenameCidr(humans.Id, "people");

        Assert.Equal(humans with { Name = "people" }, store.GetCidr(humans.Id));
    }

    [Theory]
    [InlineData("People")]
    [InlineData("-people")]
    [InlineData("people-")]
    [InlineData("peo--ple")]
    [InlineData("peo ple")]
    [InlineData("peo_ple")]
    [InlineData("")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")] // 64 characters
    public void RenameCidr_InvalidHostname_ThrowsValidation(string name)
    {
        using var store = NewStore();
        var humans = AddHumans(store);

        var e = Assert.Throws<ValidationException>(() => store.RenameCidr(humans.Id, name));

        Assert.Contains("CIDR name", e.Message, StringComparison.Ordinal);
        Assert.Equal("humans", store.GetCidr(humans.Id)!.Name);
    }

    [Fact]
    public void RenameCidr_NameOfAnotherCidr_ThrowsValidation()
    {
        using var store = NewStore();
        var humans = AddHumans(store);
        AddRobots(store);

        var e = Assert.Throws<ValidationException>(() => store.RenameCidr(humans.Id, "robots"));

        Assert.Contains("CIDR name 'robots' is already taken", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RenameCidr_UnknownId_ThrowsNotFound()
    {
        using var store = NewStore();
        Assert.Throws<NotFoundException>(() => store.RenameCidr(42, "nobody"));
    }

    [Fact]
    public void DeleteCidr_Unreferenced_RemovesItAndNeverReusesItsId()
    {
        using var store = NewStore();
        var humans = AddHumans(store);

        store.DeleteCidr(humans.Id);

        Assert.Null(store.GetCidr(humans.Id));
        Assert.Equal(4, AddHumans(store).Id);
    }

    [Fact]
    public void DeleteCidr_UnknownId_ThrowsNotFound()
    {
        using var store = NewStore();
        Assert.Throws<NotFoundException>(() => store.DeleteCidr(42));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void DeleteCidr_WithPeer_IsRefusedEvenWhenThePeerIsDisabled(bool disabled)
    {
        using var store = NewStore();
        var humans = AddHumans(store);
        var laptop = store.AddPeer(NewPeer("laptop", "10.42.1.1", humans.Id));
        if (disabled)
        {
            store.SetDisabled(laptop.Id, true);
        }

        var e = Assert.Throws<ValidationException>(() => store.DeleteCidr(humans.Id));

        Assert.Contains("laptop", e.Message, StringComparison.Ordinal);
        Assert.NotNull(store.GetCidr(humans.Id));
    }

    [Fact]
    public void DeleteCidr_WithChild_IsRefused()
    {
        using var store = NewStore();
        var humans = AddHumans(store);
        store.AddCidr(new CidrContents("staff", IPNetwork.Parse("10.42.1.0/25"), humans.Id));

        var e = Assert.Throws<ValidationException>(() => store.DeleteCidr(humans.Id));

        Assert.Contains("child CIDR(s) (staff)", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void DeleteCidr_InAnAssociation_IsRefusedOnEitherSide(bool second)
    {
        using var store = NewStore();
        var humans = AddHumans(store);
        var robots = AddRobots(store);
        store.AddAssociation(second ? new AssociationContents(robots.Id, humans.Id) : new AssociationContents(humans.Id, robots.Id));

        var e = Assert.Throws<ValidationException>(() => store.DeleteCidr(humans.Id));

        Assert.Contains("association", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1L, "root")]
    [InlineData(2L, "innernet server")]
    public void DeleteCidr_RootOrInfra_IsRefused(long id, string expected)
    {
        using var store = NewStore();
        var e = Assert.Throws<ValidationException>(() => store.DeleteCidr(id));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
