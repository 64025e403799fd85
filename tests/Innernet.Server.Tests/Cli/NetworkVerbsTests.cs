using Innernet.Cli;
using Innernet.Core.Config;
using Innernet.Core.Contracts;
using Innernet.Core.Keys;
using Innernet.Server.Cli;

namespace Innernet.Server.Tests.Cli;

/// <summary><c>new</c>, <c>add-cidr</c>, <c>add-peer</c>, the list verbs and the other edits, end to end on temp directories.</summary>
public sealed class NetworkVerbsTests
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode PrivateDirectory = Private | UnixFileMode.UserExecute;

    [Fact]
    public async Task New_WritesPrivateConfigAndDatabase_WithTheServerRows()
    {
        using var cli = new CliHarness();

        await cli.CreateNetworkAsync();

        Assert.Equal(PrivateDirectory, File.GetUnixFileMode(cli.ConfigDir));
        Assert.Equal(PrivateDirectory, File.GetUnixFileMode(cli.DataDir));
        Assert.Equal(Private, File.GetUnixFileMode(cli.ConfigFile));
        Assert.Equal(Private, File.GetUnixFileMode(cli.Database));
        var config = ServerConfig.Load(cli.ConfigFile).Config;
        Assert.Equal(IPAddress.Parse("10.66.0.1"), config.Address); // the first assignable host of the root
        Assert.Equal(16, config.NetworkCidrPrefix);
        Assert.Equal(51820, config.ListenPort);

        var peers = ServerCommandLineTests.InnernetJsonPeers((await cli.RunAsync("list-peers", cli.Interface, "--json")).AssertOk().Out);
        var server = Assert.Single(peers);
        Assert.Equal("innernet-server", server.Name);
        Assert.Equal(KeyPair.FromPrivate(config.PrivateKey).Public, server.PublicKey);
        Assert.Equal(Endpoint.Parse("198.18.0.1:51820"), server.Endpoint);
        Assert.True(server.IsAdmin && server.IsRedeemed);
    }

    [Fact]
    public async Task New_ExistingNetwork_IsRefused()
    {
        using var cli = new CliHarness();
        await cli.CreateNetworkAsync();
        byte[] before = File.ReadAllBytes(cli.ConfigFile);

        var run = await cli.RunAsync("new", "--network-name", cli.Interface, "--network-cidr", "10.67.0.0/16",
            "--external-endpoint", "198.18.0.1:51820", "--listen-port", "51820");

        run.AssertFails((int)ExitCode.Failure, "already exists");
        Assert.Equal(before, File.ReadAllBytes(cli.ConfigFile));
    }

    [Fact]
    public async Task AddPeer_WritesA0600InvitationMatchingTheDatabaseRow()
    {
        using var cli = new CliHarness();
        await cli.CreateNetworkAsync();
        string invite = cli.File("alice.toml");

        (await cli.RunAsync("add-peer", cli.Interface, "--name", "alice", "--cidr", "humans", "--admin", "true", "--auto-ip",
            "--save-config", invite, "--invite-expires", "30d", "--yes")).AssertOk();

        Assert.Equal(Private, File.GetUnixFileMode(invite));
        var invitation = InterfaceConfig.LoadInvitation(invite).Config;
        var config = ServerConfig.Load(cli.ConfigFile).Config;
        var peers = ServerCommandLineTests.InnernetJsonPeers((await cli.RunAsync("list-peers", cli.Interface, "--json")).AssertOk().Out);
        var alice = Assert.Single(peers, p => p.Name == "alice");
        Assert.Equal(IPAddress.Parse("10.66.1.1"), alice.Ip); // first assignable of 10.66.1.0/24
        Assert.True(alice.IsAdmin);
        Assert.False(alice.IsRedeemed);
        Assert.InRange(alice.InviteExpires!.Value, DateTimeOffset.UtcNow.AddDays(30).AddMinutes(-1),
            DateTimeOffset.UtcNow.AddDays(30).AddMinutes(1));
        Assert.Equal(KeyPair.FromPrivate(invitation.Interface.PrivateKey).Public, alice.PublicKey);
        Assert.Equal(cli.Interface, invitation.Interface.NetworkName);
        Assert.Equal("10.66.1.1/16", invitation.Interface.Address.ToString());
        Assert.Equal(KeyPair.FromPrivate(config.PrivateKey).Public, invitation.Server.PublicKey);
        Assert.Equal(Endpoint.Parse("198.18.0.1:51820"), invitation.Server.ExternalEndpoint);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.66.0.1"), 51820), invitation.Server.InternalEndpoint);
        Assert.StartsWith("#", File.ReadAllText(invite), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddPeer_InvitationFileExists_IsRefusedBeforeTheRowIsCreated()
    {
        using var cli = new CliHarness();
        await cli.CreateNetworkAsync();
        string invite = cli.File("taken.toml");
        File.WriteAllText(invite, "someone else's file");

        var run = await cli.RunAsync("add-peer", cli.Interface, "--name", "bob", "--cidr", "humans", "--admin", "false", "--auto-ip",
            "--save-config", invite, "--invite-expires", "1d", "--yes");

        run.AssertFails((int)ExitCode.Failure, "already exists");
        Assert.Equal("someone else's file", File.ReadAllText(invite));
        var peers = ServerCommandLineTests.InnernetJsonPeers((await cli.RunAsync("list-peers", cli.Interface, "--json")).AssertOk().Out);
        Assert.DoesNotContain(peers, p => p.Name == "bob");
    }

    [Fact]
    public async Task AddPeer_ExplicitIpAndValidationFailure_AreReported()
    {
        using var cli = new CliHarness();
        await cli.CreateNetworkAsync();

        (await cli.RunAsync("add-peer", cli.Interface, "--name", "carol", "--cidr", "humans", "--admin", "false", "--ip", "10.66.1.77",
            "--save-config", cli.File("carol.toml"), "--invite-expires", "1d", "--yes")).AssertOk();
        var outside = await cli.RunAsync("add-peer", cli.Interface, "--name", "dave", "--cidr", "humans", "--admin", "false",
            "--ip", "10.66.2.1", "--save-config", cli.File("dave.toml"), "--invite-expires", "1d", "--yes");

        var peers = ServerCommandLineTests.InnernetJsonPeers((await cli.RunAsync("list-peers", cli.Interface, "--json")).AssertOk().Out);
        Assert.Equal(IPAddress.Parse("10.66.1.77"), Assert.Single(peers, p => p.Name == "carol").Ip);
        Assert.Equal((int)ExitCode.Failure, outside.ExitCode);
        Assert.DoesNotContain(peers, p => p.Name == "dave");
        Assert.False(File.Exists(cli.File("dave.toml")));
    }

    [Fact]
    public async Task AddPeer_LiveInterfaceExists_PeerIsAddedToWireGuard()
    {
        using var cli = new CliHarness();
        await cli.CreateNetworkAsync();
        cli.WireGuard.AddDevice(cli.Interface);

        (await cli.RunAsync("add-peer", cli.Interface, "--name", "erin", "--cidr", "humans", "--admin", "false", "--auto-ip",
            "--save-config", cli.File("erin.toml"), "--invite-expires", "1d", "--yes")).AssertOk();

        var key = KeyPair.FromPrivate(InterfaceConfig.LoadInvitation(cli.File("erin.toml")).Config.Interface.PrivateKey).Public;
        var peer = Assert.Single(cli.WireGuard.Peers(cli.Interface));
        Assert.Equal(key, peer.PublicKey);
        Assert.Equal([IPNetwork.Parse("10.66.1.1/32")], peer.AllowedIPs);
        Assert.Equal(25, peer.PersistentKeepaliveInterval);
    }

    [Fact]
    public async Task DisableAndEnablePeer_UpdateDatabaseAndLiveInterface()
    {
        using var cli = new CliHarness();
        await cli.CreateNetworkAsync();
        cli.WireGuard.AddDevice(cli.Interface);
        (await cli.RunAsync("add-peer", cli.Interface, "--name", "frank", "--cidr", "humans", "--admin", "false", "--auto-ip",
            "--save-config", cli.File("frank.toml"), "--invite-expires", "1d", "--yes")).AssertOk();

        (await cli.RunAsync("disable-peer", cli.Interface, "--name", "frank", "--yes")).AssertOk();
        var disabled = ServerCommandLineTests.InnernetJsonPeers((await cli.RunAsync("list-peers", cli.Interface, "--json")).Out);
        Assert.Empty(cli.WireGuard.Peers(cli.Interface));
        (await cli.RunAsync("disable-peer", cli.Interface, "--name", "frank", "--yes")).AssertFails((int)ExitCode.NotFound, "frank");
        (await cli.RunAsync("enable-peer", cli.Interface, "--name", "frank", "--yes")).AssertOk();

        Assert.True(Assert.Single(disabled, p => p.Name == "frank").IsDisabled);
        var enabled = ServerCommandLineTests.InnernetJsonPeers((await cli.RunAsync("list-peers", cli.Interface, "--json")).Out);
        Assert.False(Assert.Single(enabled, p => p.Name == "frank").IsDisabled);
        Assert.Single(cli.WireGuard.Peers(cli.Interface));
    }

    [Fact]
    public async Task DeletePeer_RemovesItFromDatabaseAndLiveInterface_AndReservesItsIp()
    {
        using var cli = new CliHarness();
        await cli.CreateNetworkAsync();
        cli.WireGuard.AddDevice(cli.Interface);
        (await cli.RunAsync("add-peer", cli.Interface, "--name", "frank", "--cidr", "humans", "--admin", "false", "--ip", "10.66.1.1",
            "--save-config", cli.File("frank.toml"), "--invite-expires", "1d", "--yes")).AssertOk();

        string said = (await cli.RunAsync("delete-peer", cli.Interface, "--name", "frank", "--yes")).AssertOk().Out;

        Assert.Contains("Peer 'frank' deleted; its IP 10.66.1.1 stays reserved for 30 days.", said, StringComparison.Ordinal);
        Assert.Empty(cli.WireGuard.Peers(cli.Interface));
        var peers = ServerCommandLineTests.InnernetJsonPeers((await cli.RunAsync("list-peers", cli.Interface, "--json")).Out);
        Assert.DoesNotContain(peers, p => p.Name == "frank");
        (await cli.RunAsync("add-peer", cli.Interface, "--name", "frank", "--cidr", "humans", "--admin", "false", "--ip", "10.66.1.1",
            "--save-config", cli.File("frank2.toml"), "--invite-expires", "1d", "--yes"))
            .AssertFails((int)ExitCode.Failure, "reserved until");
        (await cli.RunAsync("add-peer", cli.Interface, "--name", "frank", "--cidr", "humans", "--admin", "false", "--auto-ip",
            "--save-config", cli.File("frank3.toml"), "--invite-expires", "1d", "--yes")).AssertOk();
        Assert.Equal("10.66.1.2/32", Assert.Single(Assert.Single(cli.WireGuard.Peers(cli.Interface)).AllowedIPs).ToString());
        (await cli.RunAsync("delete-peer", cli.Interface, "--name", "innernet-server", "--yes"))
            .AssertFails((int)ExitCode.NotFound, "innernet-server");
    }

    [Fact]
    public async Task Audit_ShowsChangesMadeWithTheServerStopped()
    {
        using var cli = new CliHarness();
        await cli.CreateNetworkAsync();
        (await cli.RunAsync("add-cidr", cli.Interface, "--name", "robots", "--cidr", "10.66.2.0/24", "--parent", cli.Interface, "--yes"))
            .AssertOk();

        var entries = InnernetJson.Deserialize<IReadOnlyList<AuditEntry>>(
            (await cli.RunAsync("audit", cli.Interface, "--json")).AssertOk().Out);
        string text = (await cli.RunAsync("audit", cli.Interface, "--since", "1h")).AssertOk().Out;

        var added = entries[^1];
        Assert.Equal("POST /v1/admin/cidrs", added.Action);
        Assert.Equal(("local admin", "command line (server stopped)", 201), (added.Actor, added.Source, added.Status));
        Assert.Contains("local admin from command line (server stopped): POST /v1/admin/cidrs -> 201", text, StringComparison.Ordinal);
        (await cli.RunAsync("audit", cli.Interface, "--since", "soon")).AssertFails((int)ExitCode.Usage, "--since");
    }

    [Fact]
    public async Task ListVerbs_ServerStopped_ReadTheDatabaseWithoutTouchingItsFiles()
    {
        using var cli = new CliHarness();
        await cli.CreateNetworkAsync();
        (await cli.RunAsync("add-cidr", cli.Interface, "--name", "robots", "--cidr", "10.66.2.0/24", "--parent", cli.Interface, "--yes"))
            .AssertOk();
        (await cli.RunAsync("add-association", cli.Interface, "humans", "robots")).AssertOk();
        var past = new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        foreach (string file in Directory.GetFiles(cli.DataDir))
        {
            File.SetLastWriteTimeUtc(file, past);
        }

        var before = DataFiles(cli);

        string peers = (await cli.RunAsync("list-peers", cli.Interface)).AssertOk().Out;
        string json = (await cli.RunAsync("list-peers", cli.Interface, "--json")).AssertOk().Out;
        string tree = (await cli.RunAsync("list-cidrs", cli.Interface, "--tree")).AssertOk().Out;
        string associations = (await cli.RunAsync("list-associations", cli.Interface)).AssertOk().Out;
        string audit = (await cli.RunAsync("audit", cli.Interface, "--json")).AssertOk().Out;

        Assert.Contains("innernet-server", peers, StringComparison.Ordinal);
        Assert.Single(ServerCommandLineTests.InnernetJsonPeers(json));
        Assert.Equal($"10.66.0.0/16 {cli.Interface}\n  10.66.0.1/32 innernet-server\n  10.66.1.0/24 humans\n  10.66.2.0/24 robots\n", tree);
        Assert.Equal("1: humans <=> robots\n", associations);
        Assert.Equal(["POST /v1/admin/cidrs", "POST /v1/admin/cidrs", "POST /v1/admin/associations"],
            InnernetJson.Deserialize<IReadOnlyList<AuditEntry>>(audit)!.Select(e => e.Action));
        Assert.Equal(before, DataFiles(cli));
        Assert.All(before, file => Assert.Equal(past, file.Modified));
    }

    private static List<(string Name, string Bytes, DateTime Modified)> DataFiles(CliHarness cli)
        => [.. Directory.GetFiles(cli.DataDir).Order(StringComparer.Ordinal)
            .Select(file => (Path.GetFileName(file), Convert.ToHexString(File.ReadAllBytes(file)), File.GetLastWriteTimeUtc(file)))];

    [Fact]
    public async Task CidrAndAssociationVerbs_ListRenameDelete()
    {
        using var cli = new CliHarness();
        await cli.CreateNetworkAsync();
        (await cli.RunAsync("add-cidr", cli.Interface, "--name", "robots", "--cidr", "10.66.2.0/24", "--parent", cli.Interface, "--yes"))
            .AssertOk();
        (await cli.RunAsync("add-cidr", cli.Interface, "--name", "arms", "--cidr", "10.66.2.0/25", "--parent", "robots", "--yes"))
            .AssertOk();
        (await cli.RunAsync("add-association", cli.Interface, "humans", "robots")).AssertOk();

        string tree = (await cli.RunAsync("list-cidrs", cli.Interface, "--tree")).AssertOk().Out;
        string flat = (await cli.RunAsync("list-cidrs", cli.Interface)).AssertOk().Out;
        var cidrs = InnernetJson.Deserialize<IReadOnlyList<Cidr>>(
            (await cli.RunAsync("list-cidrs", cli.Interface, "--json")).AssertOk().Out);
        string associations = (await cli.RunAsync("list-associations", cli.Interface)).AssertOk().Out;
        var associationsJson = InnernetJson.Deserialize<IReadOnlyList<Association>>(
            (await cli.RunAsync("list-associations", cli.Interface, "--json")).AssertOk().Out);

        Assert.Equal(
            $"""
            10.66.0.0/16 {cli.Interface}
              10.66.0.1/32 innernet-server
              10.66.1.0/24 humans
              10.66.2.0/24 robots
                10.66.2.0/25 arms

            """,
            tree);
        Assert.Contains("10.66.2.0/25 arms\n", flat, StringComparison.Ordinal);
        Assert.Equal(
            new[] { "innernet-server", "arms", "humans", "robots", cli.Interface }.Order(StringComparer.Ordinal),
            cidrs.Select(c => c.Name).Order(StringComparer.Ordinal));
        Assert.Equal("1: humans <=> robots\n", associations);
        var association = Assert.Single(associationsJson);
        Assert.True(association.Links(cidrs.Single(c => c.Name == "humans").Id, cidrs.Single(c => c.Name == "robots").Id));

        (await cli.RunAsync("add-association", cli.Interface, "robots", "humans")).AssertFails((int)ExitCode.Failure, "error:");
        (await cli.RunAsync("delete-association", cli.Interface, "robots", "humans")).AssertOk();
        (await cli.RunAsync("rename-cidr", cli.Interface, "--name", "arms", "--new-name", "legs", "--yes")).AssertOk();
        (await cli.RunAsync("delete-cidr", cli.Interface, "--name", "robots", "--yes")).AssertFails((int)ExitCode.Failure, "error:");
        (await cli.RunAsync("delete-cidr", cli.Interface, "--name", "legs", "--yes")).AssertOk();

        Assert.Equal(string.Empty, (await cli.RunAsync("list-associations", cli.Interface)).AssertOk().Out);
        string after = (await cli.RunAsync("list-cidrs", cli.Interface)).AssertOk().Out;
        Assert.DoesNotContain("arms", after, StringComparison.Ordinal);
        Assert.DoesNotContain("legs", after, StringComparison.Ordinal);
        Assert.Contains("robots", after, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RenamePeer_ChangesTheNameOnly()
    {
        using var cli = new CliHarness();
        await cli.CreateNetworkAsync();
        (await cli.RunAsync("add-peer", cli.Interface, "--name", "gina", "--cidr", "humans", "--admin", "false", "--auto-ip",
            "--save-config", cli.File("gina.toml"), "--invite-expires", "1d", "--yes")).AssertOk();
        var before = ServerCommandLineTests.InnernetJsonPeers((await cli.RunAsync("list-peers", cli.Interface, "--json")).Out)
            .Single(p => p.Name == "gina");

        (await cli.RunAsync("rename-peer", cli.Interface, "--name", "gina", "--new-name", "gina2", "--yes")).AssertOk();
        (await cli.RunAsync("rename-peer", cli.Interface, "--name", "innernet-server", "--new-name", "x", "--yes"))
            .AssertFails((int)ExitCode.NotFound, "innernet-server");

        var after = ServerCommandLineTests.InnernetJsonPeers((await cli.RunAsync("list-peers", cli.Interface, "--json")).Out)
            .Single(p => p.Id == before.Id);
        Assert.Equal(before with { Name = "gina2" }, after);
    }

    [Fact]
    public async Task ReissueInvite_NewKeyExpiryAndFile_OldKeyGone()
    {
        using var cli = new CliHarness();
        await cli.CreateNetworkAsync();
        cli.WireGuard.AddDevice(cli.Interface);
        (await cli.RunAsync("add-peer", cli.Interface, "--name", "hank", "--cidr", "humans", "--admin", "false", "--auto-ip",
            "--save-config", cli.File("hank.toml"), "--invite-expires", "1h", "--yes")).AssertOk();
        var oldKey = KeyPair.FromPrivate(InterfaceConfig.LoadInvitation(cli.File("hank.toml")).Config.Interface.PrivateKey).Public;

        (await cli.RunAsync("reissue-invite", cli.Interface, "--name", "hank",
            "--invite-expires", "7d", "--save-config", cli.File("hank.toml"), "--yes"))
            .AssertFails((int)ExitCode.Failure, "already exists");
        (await cli.RunAsync("reissue-invite", cli.Interface, "--name", "hank",
            "--invite-expires", "7d", "--save-config", cli.File("hank2.toml"), "--yes"))
            .AssertOk();

        Assert.Equal(Private, File.GetUnixFileMode(cli.File("hank2.toml")));
        var invitation = InterfaceConfig.LoadInvitation(cli.File("hank2.toml")).Config;
        var newKey = KeyPair.FromPrivate(invitation.Interface.PrivateKey).Public;
        var hank = ServerCommandLineTests.InnernetJsonPeers((await cli.RunAsync("list-peers", cli.Interface, "--json")).Out)
            .Single(p => p.Name == "hank");
        Assert.NotEqual(oldKey, newKey);
        Assert.Equal(newKey, hank.PublicKey);
        Assert.Equal("10.66.1.1/16", invitation.Interface.Address.ToString());
        Assert.InRange(hank.InviteExpires!.Value, DateTimeOffset.UtcNow.AddDays(7).AddMinutes(-1),
            DateTimeOffset.UtcNow.AddDays(7).AddMinutes(1));
        Assert.Equal([newKey], cli.WireGuard.Peers(cli.Interface).Select(p => p.PublicKey));
    }

    [Fact]
    public async Task ReissueInvite_RedeemedOrServerPeer_IsRefused()
    {
        using var cli = new CliHarness();
        await cli.CreateNetworkAsync();

        var run = await cli.RunAsync("reissue-invite", cli.Interface, "--name", "innernet-server", "--invite-expires", "1d",
            "--save-config", cli.File("x.toml"), "--yes");

        run.AssertFails((int)ExitCode.NotFound, "innernet-server");
        Assert.False(File.Exists(cli.File("x.toml")));
    }

    [Fact]
    public async Task SetExternalEndpoint_NextInvitationCarriesIt()
    {
        using var cli = new CliHarness();
        await cli.CreateNetworkAsync();

        (await cli.RunAsync("set-external-endpoint", cli.Interface, "--endpoint", "[2001:db8::7]:51999", "--yes")).AssertOk();
        (await cli.RunAsync("add-peer", cli.Interface, "--name", "ivy", "--cidr", "humans", "--admin", "false", "--auto-ip",
            "--save-config", cli.File("ivy.toml"), "--invite-expires", "1d", "--yes")).AssertOk();
        var again = (await cli.RunAsync("set-external-endpoint", cli.Interface, "--endpoint", "[2001:db8::7]:51999", "--yes")).AssertOk();

        var invitation = InterfaceConfig.LoadInvitation(cli.File("ivy.toml")).Config;
        Assert.Equal(Endpoint.Parse("[2001:db8::7]:51999"), invitation.Server.ExternalEndpoint);
        Assert.Contains("no change necessary", again.Out, StringComparison.Ordinal);
        (await cli.RunAsync("set-external-endpoint", cli.Interface, "--endpoint", "not an endpoint", "--yes"))
            .AssertFails((int)ExitCode.Usage, "--endpoint");
    }

    [Fact]
    public async Task Uninstall_RemovesConfigAndDatabase()
    {
        using var cli = new CliHarness();
        await cli.CreateNetworkAsync();
        cli.WireGuard.AddDevice(cli.Interface);

        (await cli.RunAsync("uninstall", cli.Interface)).AssertFails((int)ExitCode.Usage, "missing --yes");
        (await cli.RunAsync("uninstall", cli.Interface, "--yes")).AssertOk();

        Assert.False(File.Exists(cli.ConfigFile));
        Assert.False(File.Exists(cli.Database));
        Assert.Null(cli.WireGuard.GetDevice(cli.Interface));
    }
}
