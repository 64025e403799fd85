using System.Text.Json;
using Innernet.Cli;
using Innernet.Client.Cli;
using Innernet.Client.Tests.Fakes;
using Innernet.Core.Config;
using Innernet.Core.Model;

namespace Innernet.Client.Tests.Cli;

public sealed class ClientCommandLineTests
{
    private const string Net = InProcessServer.NetworkName;

    private static async Task<(InProcessServer Server, ClientFiles Files, FakeInterfaceLayer Layer, CliHarness Cli,
        Peer Admin)> AdminAsync()
    {
        var server = await InProcessServer.StartAsync();
        var files = new ClientFiles();
        var humans = server.AddCidr("humans", "127.42.1.0/24");
        var (admin, keys) = server.AddPeer("admin", "127.42.1.1", humans.Id, admin: true);
        server.ClientConfig(admin.Ip, keys).Save(files.ConfigFile(Net));
        var layer = new FakeInterfaceLayer();
        return (server, files, layer, new CliHarness(files, layer, new ManualTime(DateTimeOffset.UtcNow)), admin);
    }

    [Fact]
    public async Task AdminVerbs_NonInteractive_ChangeTheServer()
    {
        var (server, files, _, cli, _) = await AdminAsync();
        await using var _s = server;
        using var _f = files;

        Assert.Equal(0, await cli.RunAsync("add-cidr", Net, "--name", "robots", "--cidr", "127.42.2.0/24", "--parent", Net, "--yes"));
        var robots = server.Store.ListCidrs().Single(c => c.Name == "robots");
        Assert.Equal(IPNetwork.Parse("127.42.2.0/24"), robots.Network);

        string invitation = Path.Combine(files.Root, "bot.toml");
        Assert.Equal(0, await cli.RunAsync(
            "add-peer", Net, "--name", "bot", "--cidr", "robots", "--admin", "false", "--auto-ip", "--invite-expires", "7d",
            "--save-config", invitation, "--yes"));
        var bot = server.Store.GetPeerByName("bot")!;
        Assert.False(bot.IsRedeemed);
        var invite = InterfaceConfig.LoadInvitation(invitation).Config;
        Assert.Equal(bot.Ip, invite.Interface.Address.Address);
        Assert.Equal(InProcessServer.Root.PrefixLength, invite.Interface.Address.PrefixLength);
        Assert.Equal(bot.PublicKey, Core.Keys.WireGuardKeys.GetPublicKey(invite.Interface.PrivateKey));
        Assert.Equal(server.InternalEndpoint, invite.Server.InternalEndpoint);

        Assert.Equal(0, await cli.RunAsync("add-association", Net, "humans", "robots"));
        Assert.Single(server.Store.ListAssociations());
        Assert.Equal(0, await cli.RunAsync("list-associations", Net));
        Assert.Contains("humans <=> robots", cli.Out.ToString(), StringComparison.Ordinal);

        Assert.Equal(0, await cli.RunAsync("rename-cidr", Net, "--name", "robots", "--new-name", "droids", "--yes"));
        Assert.Equal("droids", server.Store.GetCidr(robots.Id)!.Name);
        Assert.Equal(0, await cli.RunAsync("rename-peer", Net, "--name", "bot", "--new-name", "r2d2", "--yes"));
        Assert.Equal("r2d2", server.Store.GetPeer(bot.Id)!.Name);
        Assert.Equal(0, await cli.RunAsync("disable-peer", Net, "--name", "r2d2", "--yes"));
        Assert.True(server.Store.GetPeer(bot.Id)!.IsDisabled);
        Assert.Equal(0, await cli.RunAsync("enable-peer", Net, "--name", "r2d2", "--yes"));
        Assert.False(server.Store.GetPeer(bot.Id)!.IsDisabled);
        Assert.Equal(0, await cli.RunAsync("delete-association", Net, "droids", "humans", "--yes"));
        Assert.Empty(server.Store.ListAssociations());

        // Deleted for good: gone from the store, its IP reserved, and add-peer's automatic IP skips it.
        Assert.Equal(0, await cli.RunAsync("delete-peer", Net, "--name", "r2d2", "--yes"));
        Assert.Null(server.Store.GetPeer(bot.Id));
        Assert.Equal(bot.Ip, Assert.Single(server.Store.ListReservedIps()).Ip);
        string next = Path.Combine(files.Root, "next.toml");
        Assert.Equal(0, await cli.RunAsync("add-peer", Net, "--name", "bot", "--cidr", "droids", "--admin", "false", "--auto-ip",
            "--save-config", next, "--invite-expires", "1d", "--yes"));
        Assert.NotEqual(bot.Ip, server.Store.GetPeerByName("bot")!.Ip);
    }

    [Fact]
    public async Task Audit_ShowsTheAdminActionsAsTextAndJson_ForAdminsOnly()
    {
        var (server, files, _, cli, admin) = await AdminAsync();
        await using var _s = server;
        using var _f = files;
        Assert.Equal(0, await cli.RunAsync("add-cidr", Net, "--name", "robots", "--cidr", "127.42.2.0/24", "--parent", Net, "--yes"));

        Assert.Equal(0, await cli.RunAsync("audit", Net));
        string text = cli.Out.ToString();
        Assert.Contains($"peer 'admin' (id {admin.Id}) from", text, StringComparison.Ordinal);
        Assert.Contains("POST /v1/admin/cidrs -> 201", text, StringComparison.Ordinal);

        Assert.Equal(0, await cli.RunAsync("audit", Net, "--since", "1h", "--json"));
        var entries = Core.Contracts.InnernetJson.Deserialize<List<AuditEntry>>(cli.Out.ToString());
        Assert.Equal("POST /v1/admin/cidrs", Assert.Single(entries, e => e.Action.StartsWith("POST", StringComparison.Ordinal)).Action);
        Assert.Equal((int)ExitCode.Usage, await cli.RunAsync("audit", Net, "--since", "soon"));

        var humans = server.Store.ListCidrs().Single(c => c.Name == "humans");
        var (user, keys) = server.AddPeer("user", "127.42.1.9", humans.Id);
        server.ClientConfig(user.Ip, keys).Save(files.ConfigFile(Net));
        Assert.NotEqual(0, await cli.RunAsync("audit", Net));
        Assert.Contains("401", cli.Error.ToString() + cli.Out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingValue_WithoutTerminal_IsUsageError_NamingTheFlag()
    {
        var (server, files, _, cli, _) = await AdminAsync();
        await using var _s = server;
        using var _f = files;

        int code = await cli.RunAsync("add-cidr", Net, "--cidr", "127.42.2.0/24", "--parent", Net, "--yes");

        Assert.Equal((int)ExitCode.Usage, code);
        Assert.Contains("missing --name", cli.Error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", cli.Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownNetwork_IsNotFound()
    {
        var (server, files, _, cli, _) = await AdminAsync();
        await using var _s = server;
        using var _f = files;

        Assert.Equal((int)ExitCode.NotFound, await cli.RunAsync("list-associations", "nosuchnet"));
        Assert.Contains("not installed", cli.Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminVerb_AsNonAdmin_FailsCleanly()
    {
        var (server, files, _, cli, _) = await AdminAsync();
        await using var _s = server;
        using var _f = files;
        var (alice, keys) = server.AddPeer("alice", "127.42.1.2", server.Store.ListCidrs().Single(c => c.Name == "humans").Id);
        server.ClientConfig(alice.Ip, keys).Save(files.ConfigFile(Net));

        Assert.Equal((int)ExitCode.Failure,
            await cli.RunAsync("add-cidr", Net, "--name", "x", "--cidr", "127.42.9.0/24", "--parent", Net, "--yes"));
        Assert.Contains("401", cli.Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeleteAssociation_ConfirmsLikeTheServer_NoneWhenBothCidrsAreNamed()
    {
        var (server, files, _, cli, _) = await AdminAsync();
        await using var _s = server;
        using var _f = files;
        server.AddCidr("robots", "127.42.2.0/24");
        Assert.Equal(0, await cli.RunAsync("add-association", Net, "humans", "robots"));

        // One CIDR named: the association is chosen by prompt, and there is no terminal.
        Assert.Equal((int)ExitCode.Usage, await cli.RunAsync("delete-association", Net, "humans"));
        Assert.Contains("missing cidr1 and cidr2", cli.Error.ToString(), StringComparison.Ordinal);
        Assert.Single(server.Store.ListAssociations());

        Assert.Equal(0, await cli.RunAsync("delete-association", Net, "robots", "humans"));
        Assert.Empty(server.Store.ListAssociations());
        Assert.Contains("association 'humans' <=> 'robots' deleted", cli.Out.ToString(), StringComparison.Ordinal);

        Assert.Equal((int)ExitCode.NotFound, await cli.RunAsync("delete-association", Net, "robots", "humans"));
        Assert.Contains("'robots' and 'humans' are not associated", cli.Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpThenShowJson_ListsPeersWithHandshake_AndListCidrsReadsTheCache()
    {
        var (server, files, layer, cli, admin) = await AdminAsync();
        await using var _s = server;
        using var _f = files;
        var (bob, _) = server.AddPeer("bob", "127.42.1.3", admin.CidrId);

        Assert.Equal(0, await cli.RunAsync("up", Net, "--no-write-hosts", "--no-nat-traversal"));
        var handshake = DateTimeOffset.UtcNow.AddSeconds(-30);
        layer.Fake.SetHandshake(Net, bob.PublicKey, handshake);

        Assert.Equal(0, await cli.RunAsync("show", "--json"));
        using var doc = JsonDocument.Parse(cli.Out.ToString());
        var peers = doc.RootElement.GetProperty("interfaces")[0].GetProperty("peers").EnumerateArray().ToList();
        var bobJson = peers.Single(p => p.GetProperty("name").GetString() == "bob");
        Assert.Equal(handshake.ToUnixTimeSeconds(), bobJson.GetProperty("last_handshake").GetInt64());
        Assert.True(bobJson.GetProperty("connected").GetBoolean());
        Assert.True(peers.Single(p => p.GetProperty("name").GetString() == "admin").GetProperty("is_you").GetBoolean());
        Assert.Equal(peers.Select(p => p.GetProperty("ip").GetString()).Order(StringComparer.Ordinal),
            peers.Select(p => p.GetProperty("ip").GetString()));

        Assert.Equal(0, await cli.RunAsync("show", Net, "--short"));
        Assert.Contains("| ◉ 127.42.1.3: bob (", cli.Out.ToString(), StringComparison.Ordinal);

        Assert.Equal(0, await cli.RunAsync());
        Assert.Contains("transfer: 0 B received, 0 B sent", cli.Out.ToString(), StringComparison.Ordinal);

        cli.RichOutput = true;
        Assert.Equal(0, await cli.RunAsync("show", Net, "--tree"));
        string tree = cli.Out.ToString();
        Assert.Contains("127.42.1.0/24 humans", tree, StringComparison.Ordinal);
        Assert.Contains("◉ 127.42.1.3: bob (", tree, StringComparison.Ordinal);
        Assert.True(tree.IndexOf("humans", StringComparison.Ordinal) < tree.IndexOf("bob (", StringComparison.Ordinal));
        cli.RichOutput = false;

        Assert.Equal(0, await cli.RunAsync("list-cidrs", Net, "--tree"));
        Assert.Contains("  127.42.1.0/24 humans", cli.Out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_SaysWhetherTheDaemonHoldsTheStream_Polls_OrIsNotRunning()
    {
        var (server, files, _, cli, _) = await AdminAsync();
        await using var _s = server;
        using var _f = files;
        Assert.Equal(0, await cli.RunAsync("up", Net, "--no-write-hosts", "--no-nat-traversal"));
        string statusPath = Core.Live.LiveStatusFile.PathFor(files.DataDirectory, Net);
        var now = DateTimeOffset.UtcNow;

        Assert.Equal(0, await cli.RunAsync("show", Net));
        Assert.Contains("  updates: not running (no 'inn up --daemon' for this network)", cli.Out.ToString(), StringComparison.Ordinal);

        Core.Live.LiveStatusFile.Write(statusPath, new(Environment.ProcessId, Core.Live.LiveMode.Live, now.AddSeconds(-310),
            now.AddSeconds(-3.5), "v9"));
        Assert.Equal(0, await cli.RunAsync("show", Net));
        // The harness clock started a moment before 'now': the seconds are not exact.
        Assert.Matches(
            @"\n  updates: live \(state stream held\) since 5 minutes ago, last update \d seconds? ago, "
                + $@"daemon pid {Environment.ProcessId}\n",
            cli.Out.ToString());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(statusPath));

        Assert.Equal(0, await cli.RunAsync("show", "--json"));
        using (var doc = JsonDocument.Parse(cli.Out.ToString()))
        {
            var updates = doc.RootElement.GetProperty("interfaces")[0].GetProperty("updates");
            Assert.Equal("live", updates.GetProperty("mode").GetString());
            Assert.Equal(now.AddSeconds(-3.5).ToUnixTimeSeconds(), updates.GetProperty("last_update").GetInt64());
        }

        Core.Live.LiveStatusFile.Write(statusPath, new(Environment.ProcessId, Core.Live.LiveMode.Polling,
            now.AddSeconds(-130), null, null));
        Assert.Equal(0, await cli.RunAsync("show", Net));
        Assert.Contains("  updates: polling (the server offers no state stream) since 2 minutes ago, daemon", cli.Out.ToString(),
            StringComparison.Ordinal);

        // A daemon that died leaves its file behind: a pid that is not running reads as "not running".
        Core.Live.LiveStatusFile.Write(statusPath, new(int.MaxValue, Core.Live.LiveMode.Live, now, null, "v9"));
        Assert.Equal(0, await cli.RunAsync("show", Net));
        Assert.Contains("  updates: not running", cli.Out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OverridePeerEndpoint_IsStoredLocally_AndAppliedToTheLiveDevice()
    {
        var (server, files, layer, cli, admin) = await AdminAsync();
        await using var _s = server;
        using var _f = files;
        var (bob, _) = server.AddPeer("bob", "127.42.1.3", admin.CidrId);
        Assert.Equal(0, await cli.RunAsync("up", Net, "--no-write-hosts", "--no-nat-traversal"));

        Assert.Equal(0, await cli.RunAsync("override-peer-endpoint", Net, "--name", "bob", "-e", "198.51.100.9:4000", "--yes"));

        var config = InterfaceConfig.Load(files.ConfigFile(Net)).Config;
        Assert.Equal(Endpoint.Parse("198.51.100.9:4000"), config.PeerEndpointOverrides[bob.Ip]);
        Assert.Equal(IPEndPoint.Parse("198.51.100.9:4000"),
            layer.Fake.GetDevice(Net)!.Peers.Single(p => p.PublicKey == bob.PublicKey).Endpoint);
        Assert.Equal(0, await cli.RunAsync("show", Net));
        Assert.Contains("(endpoint overridden locally)", cli.Out.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SetListenPort_AndOverrideEndpoint_UpdateConfigAndServer()
    {
        var (server, files, _, cli, admin) = await AdminAsync();
        await using var _s = server;
        using var _f = files;

        Assert.Equal(0, await cli.RunAsync("set-listen-port", Net, "-l", "51999", "--yes"));
        Assert.Equal((ushort)51999, InterfaceConfig.Load(files.ConfigFile(Net)).Config.Interface.ListenPort);

        Assert.Equal(0, await cli.RunAsync("override-endpoint", Net, "-e", "0.0.0.0:51999", "--yes"));
        Assert.Equal(Endpoint.Parse("0.0.0.0:51999"), server.Store.GetPeer(admin.Id)!.Endpoint);
        Assert.Equal(0, await cli.RunAsync("override-endpoint", Net, "-u", "--yes"));
        Assert.Null(server.Store.GetPeer(admin.Id)!.Endpoint);
    }

    [Fact]
    public async Task Uninstall_RemovesEveryFileOfTheNetwork()
    {
        var (server, files, _, cli, _) = await AdminAsync();
        await using var _s = server;
        using var _f = files;
        Assert.Equal(0, await cli.RunAsync("up", Net, "--no-write-hosts", "--no-nat-traversal"));
        string entityTag = Innernet.Core.Fetch.ClientPaths.EntityTagFile(files.DataDirectory, Net);
        Assert.True(File.Exists(entityTag));
        // A key left by an install that stopped before its end (it is deleted once the install completes).
        string pendingKey = Innernet.Core.Fetch.PendingRedeemKey.PathFor(files.ConfigDirectory, Net);
        await File.WriteAllTextAsync(pendingKey, "left over", TestContext.Current.CancellationToken);

        Assert.Equal(0, await cli.RunAsync("uninstall", Net, "--yes"));

        Assert.False(File.Exists(files.ConfigFile(Net)));
        Assert.False(File.Exists(files.DataFile(Net)));
        Assert.False(File.Exists(entityTag));
        Assert.False(File.Exists(pendingKey));
        Assert.Equal((int)ExitCode.NotFound, await cli.RunAsync("uninstall", Net, "--yes"));
    }

    [Fact]
    public async Task Completions_ListEveryVerb()
    {
        var (server, files, _, cli, _) = await AdminAsync();
        await using var _s = server;
        using var _f = files;

        Assert.Equal(0, await cli.RunAsync("completions", "bash"));

        foreach (string verb in new[] { "install", "show", "up", "fetch", "down", "uninstall", "add-peer", "rename-peer", "add-cidr",
            "rename-cidr", "delete-cidr", "list-cidrs", "disable-peer", "enable-peer", "delete-peer", "add-association",
            "delete-association", "list-associations", "set-listen-port", "override-endpoint", "override-peer-endpoint", "rotate-key",
            "audit" })
        {
            Assert.Contains(verb, cli.Out.ToString(), StringComparison.Ordinal);
        }
    }
}
