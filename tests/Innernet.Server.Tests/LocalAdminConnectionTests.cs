using System.Net.Sockets;

namespace Innernet.Server.Tests;

/// <summary>The local admin Unix socket: the server's own CLI acting as root admin through the running server.</summary>
public sealed class LocalAdminConnectionTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("inn-api-").FullName;

    private string SocketPath => Path.Combine(_directory, "admin.sock");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Socket_IsOwnerOnly_AndServesAdminWithoutKeyOrPeer()
    {
        await using var server = await ApiServer.StartAsync(adminSocketPath: SocketPath);

        var peers = await (await server.LocalAdminClient().Get("/v1/admin/peers")).ReadJsonAsync<List<Peer>>();

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(SocketPath));
        Assert.Equal(6, peers.Count);
        Assert.Contains(server.Logs.Lines, l => l.Contains("GET /v1/admin/peers -> 200 (local-admin)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Socket_CanCreateAndDisablePeers()
    {
        await using var server = await ApiServer.StartAsync(adminSocketPath: SocketPath);
        var client = server.LocalAdminClient();

        await (await client.PostJson("/v1/admin/peers", ApiServer.NewPeer("developer3", server.Network.FreeDeveloperIp, TestNetwork.DeveloperCidrId))).AssertStatusAsync(HttpStatusCode.Created);
        await (await client.Delete("/v1/admin/peers/7")).AssertStatusAsync(HttpStatusCode.NoContent);
        await (await client.Delete("/v1/admin/peers/1")).AssertStatusAsync(HttpStatusCode.BadRequest);

        Assert.Equal(["added developer3", "disabled developer3"], server.PeerSync.Calls);
    }

    [Theory]
    [InlineData("/v1/user/state")]
    [InlineData("/v1/user/capabilities")]
    public async Task Socket_UserEndpoints_Are401(string path)
    {
        await using var server = await ApiServer.StartAsync(adminSocketPath: SocketPath);

        await (await server.LocalAdminClient().Get(path)).AssertStatusAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Socket_IsRemovedOnStop_AndAStaleFileIsReplacedOnStart()
    {
        await using (var first = await ApiServer.StartAsync(adminSocketPath: SocketPath))
        {
            Assert.True(File.Exists(SocketPath));
        }

        Assert.False(File.Exists(SocketPath));

        // A socket file left behind by a crash (bound, nobody listening).
        using (var stale = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            stale.Bind(new UnixDomainSocketEndPoint(SocketPath));
        }

        await using var second = await ApiServer.StartAsync(adminSocketPath: SocketPath);
        await (await second.LocalAdminClient().Get("/v1/admin/cidrs")).AssertStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Socket_InUseByARunningServer_FailsTheSecondStart()
    {
        await using var first = await ApiServer.StartAsync(adminSocketPath: SocketPath);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => ApiServer.StartAsync(adminSocketPath: SocketPath));

        Assert.Contains("already listening", error.ToString(), StringComparison.Ordinal);
        await (await first.LocalAdminClient().Get("/v1/admin/cidrs")).AssertStatusAsync(HttpStatusCode.OK);
    }
}
