namespace Innernet.Server.Tests;

/// <summary>The audit log: every acknowledged admin write, who, what, when, from where; nothing else.</summary>
public sealed class AuditTests
{
    [Fact]
    public async Task AdminWrites_AreRecorded_WithCallerSourceActionAndStatus()
    {
        using var directory = new TempDirectory();
        await using var server = await ApiServer.StartAsync(adminSocketPath: Path.Combine(directory.Path, "admin.sock"));
        var admin = server.Admin();
        var adminPeer = server.Store.GetPeerByIp(server.Network.Admin)!;

        await (await admin.PostJson("/v1/admin/cidrs", new CidrContents("lab", IPNetwork.Parse("127.80.2.0/24"), Cidr.RootId)))
            .AssertStatusAsync(HttpStatusCode.Created);
        await (await admin.Delete($"/v1/admin/peers/{TestNetwork.User1Id}")).AssertStatusAsync(HttpStatusCode.NoContent);
        await (await server.LocalAdminClient().Send(HttpMethod.Post, $"/v1/admin/peers/{TestNetwork.Developer2Id}/delete"))
            .AssertStatusAsync(HttpStatusCode.NoContent);

        var entries = server.Store.ListAudit(null);
        DateTimeOffset now = DateTimeOffset.FromUnixTimeSeconds(server.Time.GetUtcNow().ToUnixTimeSeconds());
        Assert.Equal(
            [
                (1L, now, $"peer '{adminPeer.Name}' (id {adminPeer.Id})", server.Network.Admin.ToString(), "POST /v1/admin/cidrs", 201),
                (2L, now, $"peer '{adminPeer.Name}' (id {adminPeer.Id})", server.Network.Admin.ToString(),
                    $"DELETE /v1/admin/peers/{TestNetwork.User1Id}", 204),
                (3L, now, "local admin", "admin socket", $"POST /v1/admin/peers/{TestNetwork.Developer2Id}/delete", 204),
            ],
            entries.Select(e => (e.Id, e.Time, e.Actor, e.Source, e.Action, e.Status)));
    }

    [Fact]
    public async Task AdminWriteThatChangesNothing_IsStillRecorded()
    {
        await using var server = await ApiServer.StartAsync();
        var root = server.Store.GetCidr(Cidr.RootId)!;

        await (await server.Admin().PutJson($"/v1/admin/cidrs/{root.Id}", new CidrContents(root.Name, root.Network, null)))
            .AssertStatusAsync(HttpStatusCode.NoContent);

        var entry = Assert.Single(server.Store.ListAudit(null));
        Assert.Equal(($"PUT /v1/admin/cidrs/{root.Id}", 204), (entry.Action, entry.Status));
    }

    [Fact]
    public async Task ReadsRefusalsAndUserCalls_AreNotRecorded()
    {
        await using var server = await ApiServer.StartAsync();

        await (await server.Admin().Get("/v1/admin/peers")).AssertStatusAsync(HttpStatusCode.OK);
        await (await server.Admin().Send(HttpMethod.Post, "/v1/admin/peers/1/delete")).AssertStatusAsync(HttpStatusCode.BadRequest);
        await (await server.Developer1().PostJson("/v1/admin/cidrs",
            new CidrContents("lab", IPNetwork.Parse("127.80.2.0/24"), Cidr.RootId)))
            .AssertStatusAsync(HttpStatusCode.Unauthorized);
        await (await server.Developer1().PutJson("/v1/user/candidates", new List<Endpoint>())).AssertStatusAsync(HttpStatusCode.NoContent);

        Assert.Empty(server.Store.ListAudit(null));
    }

    [Fact]
    public async Task AuditLog_IsReadableByAdminsOnly_AndFiltersBySince()
    {
        await using var server = await ApiServer.StartAsync();
        var admin = server.Admin();
        await (await admin.PostJson("/v1/admin/cidrs", new CidrContents("lab", IPNetwork.Parse("127.80.2.0/24"), Cidr.RootId)))
            .AssertStatusAsync(HttpStatusCode.Created);
        server.Time.Advance(TimeSpan.FromHours(2));
        await (await admin.Delete($"/v1/admin/peers/{TestNetwork.User1Id}")).AssertStatusAsync(HttpStatusCode.NoContent);
        long hourAgo = (server.Time.GetUtcNow() - TimeSpan.FromHours(1)).ToUnixTimeSeconds();

        var all = await (await admin.Get("/v1/admin/audit")).ReadJsonAsync<List<AuditEntry>>();
        var recent = await (await admin.Get($"/v1/admin/audit?since={hourAgo}")).ReadJsonAsync<List<AuditEntry>>();

        Assert.Equal(server.Store.ListAudit(null), all);
        Assert.Equal([2L], recent.Select(e => e.Id));
        await (await server.Developer1().Get("/v1/admin/audit")).AssertStatusAsync(HttpStatusCode.Unauthorized);
    }

    private sealed class TempDirectory : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("inn-audit-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
