namespace Innernet.Server.Tests;

/// <summary><c>/v1/admin/cidrs</c>: access, validation, and innernet's own server tests.</summary>
public sealed class AdminCidrEndpointsTests
{
    [Fact]
    public async Task Create_Is201_WithTheNextId()
    {
        await using var server = await ApiServer.StartAsync();
        var contents = new CidrContents("experimental", server.Network.ExperimentalCidr, Cidr.RootId);

        var response = await server.Admin().PostJson("/v1/admin/cidrs", contents);

        await response.AssertStatusAsync(HttpStatusCode.Created);
        Assert.Equal(contents.WithId(6), await response.ReadJsonAsync<Cidr>());
        Assert.Equal(contents.WithId(6), server.Store.GetCidr(6));
    }

    [Fact]
    public async Task List_ReturnsEveryCidr()
    {
        await using var server = await ApiServer.StartAsync();

        var cidrs = await (await server.Admin().Get("/v1/admin/cidrs")).ReadJsonAsync<List<Cidr>>();

        Assert.Equal(["test", "innernet-server", "admin", "developer", "user"], cidrs.Select(c => c.Name));
        Assert.Equal(server.Store.ListCidrs(), cidrs);
    }

    [Fact]
    public async Task Create_DuplicateName_Is400()
    {
        await using var server = await ApiServer.StartAsync();

        var response = await server.Admin().PostJson("/v1/admin/cidrs",
            new CidrContents("developer", server.Network.ExperimentalCidr, Cidr.RootId));

        await response.AssertStatusAsync(HttpStatusCode.BadRequest);
        Assert.Equal(5, server.Store.ListCidrs().Count);
    }

    [Fact]
    public async Task Create_ByNonAdmin_Is401()
    {
        await using var server = await ApiServer.StartAsync();

        var response = await server.Developer1().PostJson("/v1/admin/cidrs",
            new CidrContents("experimental", server.Network.ExperimentalCidr, Cidr.RootId));

        await response.AssertStatusAsync(HttpStatusCode.Unauthorized);
        await (await server.Developer1().Get("/v1/admin/cidrs")).AssertStatusAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(5, server.Store.ListCidrs().Count);
    }

    [Fact]
    public async Task Create_UnderAParentThatIsNotTheClosestContainer_Is400()
    {
        await using var server = await ApiServer.StartAsync();
        var admin = server.Admin();
        var experimental = await (await admin.PostJson("/v1/admin/cidrs",
            new CidrContents("experimental", server.Network.ExperimentalCidr, Cidr.RootId))).ReadJsonAsync<Cidr>();

        // The sub-range lies inside "experimental", so the root is the wrong parent.
        var response = await admin.PostJson("/v1/admin/cidrs",
            new CidrContents("experiment-sub", server.Network.ExperimentalSubCidr, Cidr.RootId));

        await response.AssertStatusAsync(HttpStatusCode.BadRequest);
        await (await admin.PostJson("/v1/admin/cidrs",
            new CidrContents("experiment-sub", server.Network.ExperimentalSubCidr,
            experimental.Id))).AssertStatusAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Create_OverlappingASibling_Is400()
    {
        await using var server = await ApiServer.StartAsync();

        // 127.80.64.0/23 overlaps "developer" (127.80.64.0/24) under the same parent.
        var response = await server.Admin().PostJson("/v1/admin/cidrs",
            new CidrContents("overlap", IPNetwork.Parse("127.80.64.0/23"), Cidr.RootId));

        await response.AssertStatusAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Create_UnderACidrThatHoldsPeers_Is400()
    {
        await using var server = await ApiServer.StartAsync();

        var response = await server.Admin().PostJson("/v1/admin/cidrs",
            new CidrContents("dev-sub", IPNetwork.Parse("127.80.64.128/25"), TestNetwork.DeveloperCidrId));

        await response.AssertStatusAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Delete_ParentWithChild_Is400_ThenChild204_ThenParent204()
    {
        await using var server = await ApiServer.StartAsync();
        var admin = server.Admin();
        var parent = await (await admin.PostJson("/v1/admin/cidrs",
            new CidrContents("experimental", server.Network.ExperimentalCidr, Cidr.RootId))).ReadJsonAsync<Cidr>();
        var child = await (await admin.PostJson("/v1/admin/cidrs",
            new CidrContents("experiment-sub", server.Network.ExperimentalSubCidr, parent.Id))).ReadJsonAsync<Cidr>();

        await (await admin.Delete($"/v1/admin/cidrs/{parent.Id}")).AssertStatusAsync(HttpStatusCode.BadRequest);
        await (await admin.Delete($"/v1/admin/cidrs/{child.Id}")).AssertStatusAsync(HttpStatusCode.NoContent);
        await (await admin.Delete($"/v1/admin/cidrs/{parent.Id}")).AssertStatusAsync(HttpStatusCode.NoContent);

        Assert.Null(server.Store.GetCidr(parent.Id));
        Assert.Null(server.Store.GetCidr(child.Id));
    }

    [Fact]
    public async Task Delete_CidrWithAPeer_Is400_EvenWhenThePeerIsDisabled()
    {
        await using var server = await ApiServer.StartAsync();
        var admin = server.Admin();
        await (await admin.Delete("/v1/admin/peers/5")).AssertStatusAsync(HttpStatusCode.NoContent);
        await (await admin.Delete("/v1/admin/peers/6")).AssertStatusAsync(HttpStatusCode.NoContent);

        await (await admin.Delete($"/v1/admin/cidrs/{TestNetwork.UserCidrId}")).AssertStatusAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(server.Store.GetCidr(TestNetwork.UserCidrId));
    }

    [Fact]
    public async Task Delete_CidrInAnAssociation_Is400()
    {
        await using var server = await ApiServer.StartAsync();
        var admin = server.Admin();
        var experimental = await (await admin.PostJson("/v1/admin/cidrs",
            new CidrContents("experimental", server.Network.ExperimentalCidr, Cidr.RootId))).ReadJsonAsync<Cidr>();
        await (await admin.PostJson("/v1/admin/associations",
            new AssociationContents(experimental.Id, TestNetwork.AdminCidrId))).AssertStatusAsync(HttpStatusCode.Created);

        await (await admin.Delete($"/v1/admin/cidrs/{experimental.Id}")).AssertStatusAsync(HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Delete_RootOrInfra_Is400(long id)
    {
        await using var server = await ApiServer.StartAsync();

        await (await server.Admin().Delete($"/v1/admin/cidrs/{id}")).AssertStatusAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(server.Store.GetCidr(id));
    }

    [Fact]
    public async Task Delete_UnknownId_Is204_AsInInnernet()
    {
        await using var server = await ApiServer.StartAsync();

        await (await server.Admin().Delete("/v1/admin/cidrs/99")).AssertStatusAsync(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task Rename_Is204_OnlyTheNameChanges()
    {
        await using var server = await ApiServer.StartAsync();
        var before = server.Store.GetCidr(TestNetwork.UserCidrId)!;

        var response = await server.Admin().PutJson("/v1/admin/cidrs/5",
            new CidrContents("customers", IPNetwork.Parse("127.80.0.0/16"), 2));

        await response.AssertStatusAsync(HttpStatusCode.NoContent);
        Assert.Equal(before with { Name = "customers" }, server.Store.GetCidr(TestNetwork.UserCidrId));
    }

    [Fact]
    public async Task Rename_UnknownId_Is404()
    {
        await using var server = await ApiServer.StartAsync();

        await (await server.Admin().PutJson("/v1/admin/cidrs/99",
            new CidrContents("ghost", server.Network.ExperimentalCidr, 1))).AssertStatusAsync(HttpStatusCode.NotFound);
    }
}
