namespace Innernet.Server.Tests;

/// <summary><c>/v1/admin/associations</c>: access, validation, and innernet's own server tests.</summary>
public sealed class AdminAssociationEndpointsTests
{
    [Fact]
    public async Task Create_Is201_WithAnEmptyBody_AndIsListed()
    {
        await using var server = await ApiServer.StartAsync();
        var admin = server.Admin();

        var response = await admin.PostJson("/v1/admin/associations",
            new AssociationContents(TestNetwork.AdminCidrId, TestNetwork.DeveloperCidrId));
        var listed = await (await admin.Get("/v1/admin/associations")).ReadJsonAsync<List<Association>>();

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        Assert.Equal([new Association(1, TestNetwork.AdminCidrId, TestNetwork.DeveloperCidrId)], listed);
    }

    [Fact]
    public async Task Create_DuplicateOrFlippedPair_Is400()
    {
        await using var server = await ApiServer.StartAsync();
        var admin = server.Admin();
        await (await admin.PostJson("/v1/admin/associations",
            new AssociationContents(TestNetwork.AdminCidrId, TestNetwork.DeveloperCidrId))).AssertStatusAsync(HttpStatusCode.Created);

        await (await admin.PostJson("/v1/admin/associations",
            new AssociationContents(TestNetwork.AdminCidrId, TestNetwork.DeveloperCidrId))).AssertStatusAsync(HttpStatusCode.BadRequest);
        await (await admin.PostJson("/v1/admin/associations",
            new AssociationContents(TestNetwork.DeveloperCidrId, TestNetwork.AdminCidrId))).AssertStatusAsync(HttpStatusCode.BadRequest);
        Assert.Single(server.Store.ListAssociations());
    }

    [Fact]
    public async Task Create_UnknownCidr_Is400_ThenSucceedsOnceTheCidrExists()
    {
        await using var server = await ApiServer.StartAsync();
        var admin = server.Admin();

        await (await admin.PostJson("/v1/admin/associations",
            new AssociationContents(TestNetwork.DeveloperCidrId, 6))).AssertStatusAsync(HttpStatusCode.BadRequest);
        await (await admin.PostJson("/v1/admin/cidrs",
            new CidrContents("experimental", server.Network.ExperimentalCidr, Cidr.RootId))).AssertStatusAsync(HttpStatusCode.Created);
        await (await admin.PostJson("/v1/admin/associations",
            new AssociationContents(TestNetwork.DeveloperCidrId, 6))).AssertStatusAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Create_SameCidrTwice_Is400()
    {
        await using var server = await ApiServer.StartAsync();

        await (await server.Admin().PostJson("/v1/admin/associations",
            new AssociationContents(TestNetwork.UserCidrId, TestNetwork.UserCidrId))).AssertStatusAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Delete_Is204_AlsoForAnUnknownId()
    {
        await using var server = await ApiServer.StartAsync();
        var admin = server.Admin();
        await (await admin.PostJson("/v1/admin/associations",
            new AssociationContents(TestNetwork.AdminCidrId, TestNetwork.UserCidrId))).AssertStatusAsync(HttpStatusCode.Created);

        await (await admin.Delete("/v1/admin/associations/1")).AssertStatusAsync(HttpStatusCode.NoContent);
        await (await admin.Delete("/v1/admin/associations/1")).AssertStatusAsync(HttpStatusCode.NoContent);

        Assert.Empty(server.Store.ListAssociations());
    }

    [Fact]
    public async Task NonAdmin_Is401()
    {
        await using var server = await ApiServer.StartAsync();
        var developer = server.Developer1();

        await (await developer.Get("/v1/admin/associations")).AssertStatusAsync(HttpStatusCode.Unauthorized);
        await (await developer.PostJson("/v1/admin/associations",
            new AssociationContents(TestNetwork.DeveloperCidrId, TestNetwork.UserCidrId))).AssertStatusAsync(HttpStatusCode.Unauthorized);
        Assert.Empty(server.Store.ListAssociations());
    }
}
