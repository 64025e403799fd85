using Innernet.Client.Tests.Fakes;
using Innernet.Core.Api;
using Innernet.Core.Cidrs;
using Innernet.Core.Config;
using Innernet.Core.Fetch;
using Innernet.Core.Keys;
using Microsoft.AspNetCore.Builder;

namespace Innernet.Client.Tests.Fetch;

public sealed class InvitationInstallerTests
{
    private const string Iface = "joined";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static (InvitationInstaller Installer, FakeInterfaceLayer Layer, ManualTime Time) Create(RecordingLog log)
    {
        var layer = new FakeInterfaceLayer();
        var time = new ManualTime(DateTimeOffset.UtcNow);
        var fetcher = new InterfaceFetcher(layer, log, InProcessServer.ApiFromConfig, time, time.Delay, static e => e.TryGetIPEndPoint());
        return (new InvitationInstaller(layer, fetcher, log, InProcessServer.ApiFromConfig, time.Delay), layer, time);
    }

    private static string WriteInvitation(InProcessServer server, ClientFiles files, IPAddress ip, KeyPair temporary)
    {
        string path = Path.Combine(files.Root, "invite.toml");
        InterfaceConfig.CreateInvitation(
            InProcessServer.NetworkName, ip, new CidrTree(server.Store.ListCidrs()), temporary.Private,
            new ServerInfo(server.ServerKeys.Public, InProcessServer.ExternalEndpoint, server.InternalEndpoint)).SaveInvitation(path);
        return path;
    }

    private static InstallRequest Request(ClientFiles files, string invitation) => new()
    {
        InvitationPath = invitation,
        InterfaceName = Iface,
        ConfigDirectory = files.ConfigDirectory,
        DataDirectory = files.DataDirectory,
        Hosts = new HostsOptions { Write = false },
        Nat = new NatOptions { NoTraversal = true },
    };

    [Fact]
    public async Task Install_RedeemsNewKey_WritesPrivateConfig_SwapsKey_ThenFetches()
    {
        await using var server = await InProcessServer.StartAsync();
        using var files = new ClientFiles();
        var humans = server.AddCidr("humans", "127.42.1.0/24");
        var (invitee, temporary) = server.AddPeer("newbie", "127.42.1.5", humans.Id, redeemed: false);
        string invitation = WriteInvitation(server, files, invitee.Ip, temporary);
        var log = new RecordingLog();
        var (installer, layer, time) = Create(log);
        var progress = new List<(TimeSpan Elapsed, TimeSpan Total)>();

        var result = await installer.InstallAsync(Request(files, invitation), (e, t) => progress.Add((e, t)), Ct);

        // Tunnel first came up with the temporary key and no fixed port.
        var firstUp = layer.BringUps[0];
        Assert.Equal(temporary.Private, firstUp.PrivateKey);
        Assert.Null(firstUp.ListenPort);
        // The server now holds the new key, whose private half is only in the 0600 config and on the device.
        var stored = server.Store.GetPeer(invitee.Id)!;
        Assert.True(stored.IsRedeemed);
        Assert.NotEqual(temporary.Public, stored.PublicKey);
        var config = InterfaceConfig.Load(result.ConfigPath).Config;
        Assert.Equal(stored.PublicKey, WireGuardKeys.GetPublicKey(config.Interface.PrivateKey));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(result.ConfigPath));
        Assert.Equal(config.Interface.PrivateKey, layer.Fake.GetDevice(Iface)!.PrivateKey);
        // 5 s transition reported through the callback, then a successful fetch.
        Assert.Equal(InvitationInstaller.TransitionWait, progress[^1].Elapsed);
        Assert.Equal(InvitationInstaller.TransitionWait, time.Delays.Take(5).Aggregate(TimeSpan.Zero, (a, b) => a + b));
        Assert.NotNull(result.Fetch);
        Assert.True(result.Fetch.ServerReachable);
        Assert.True(File.Exists(files.DataFile(Iface)));
    }

    /// <summary>A server whose first <paramref name="drops"/> redeem answers are lost: committed, then the connection is cut.</summary>
    private static Task<InProcessServer> DroppingRedeemAnswersAsync(Func<bool> drop)
        => InProcessServer.StartAsync(app => app.Use(async (context, next) =>
        {
            await next(context);
            if (context.Request.Path == "/v1/user/redeem" && context.Response.StatusCode == 204 && drop())
            {
                context.Abort();
            }
        }));

    [Fact]
    public async Task Install_Lost204_IsRetriedWithTheSameKey_AndSucceeds()
    {
        int drops = 1;
        await using var server = await DroppingRedeemAnswersAsync(() => drops-- > 0);
        using var files = new ClientFiles();
        var humans = server.AddCidr("humans", "127.42.1.0/24");
        var (invitee, temporary) = server.AddPeer("newbie", "127.42.1.5", humans.Id, redeemed: false);
        string invitation = WriteInvitation(server, files, invitee.Ip, temporary);
        var log = new RecordingLog();
        var (installer, _, _) = Create(log);

        var result = await installer.InstallAsync(Request(files, invitation), null, Ct);

        Assert.Equal(-1, drops);
        string retried = $"redeem attempt 1 of {InvitationInstaller.RedeemAttempts} got no answer";
        Assert.Contains(log.Warnings, w => w.Contains(retried, StringComparison.Ordinal));
        var stored = server.Store.GetPeer(invitee.Id)!;
        Assert.True(stored.IsRedeemed);
        Assert.Equal(stored.PublicKey, WireGuardKeys.GetPublicKey(InterfaceConfig.Load(result.ConfigPath).Config.Interface.PrivateKey));
        Assert.False(File.Exists(PendingRedeemKey.PathFor(files.ConfigDirectory, Iface)));
        Assert.NotNull(result.Fetch);
    }

    [Fact]
    public async Task Install_EveryAnswerLost_KeepsTheKey_AndTheRerunSucceedsWithIt()
    {
        bool dropping = true;
        await using var server = await DroppingRedeemAnswersAsync(() => dropping);
        using var files = new ClientFiles();
        var humans = server.AddCidr("humans", "127.42.1.0/24");
        var (invitee, temporary) = server.AddPeer("newbie", "127.42.1.5", humans.Id, redeemed: false);
        string invitation = WriteInvitation(server, files, invitee.Ip, temporary);
        string pendingPath = PendingRedeemKey.PathFor(files.ConfigDirectory, Iface);
        var (installer, layer, _) = Create(new RecordingLog());

        await Assert.ThrowsAsync<ApiTransportException>(() => installer.InstallAsync(Request(files, invitation), null, Ct));

        // The server committed the redeem; the client has no config, but it kept the key that was registered.
        var stored = server.Store.GetPeer(invitee.Id)!;
        Assert.True(stored.IsRedeemed);
        Assert.False(File.Exists(files.ConfigFile(Iface)));
        Assert.Null(layer.Fake.GetDevice(Iface));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(pendingPath));
        Assert.Equal(stored.PublicKey, PendingRedeemKey.LoadOrCreate(pendingPath, temporary.Public).Keys.Public);

        dropping = false;
        var log = new RecordingLog();
        var (rerun, _, _) = Create(log);
        var result = await rerun.InstallAsync(Request(files, invitation), null, Ct);

        Assert.Contains(log.Lines, l => l.Contains("resuming an earlier installation", StringComparison.Ordinal));
        Assert.Equal(stored, server.Store.GetPeer(invitee.Id));
        Assert.Equal(stored.PublicKey, WireGuardKeys.GetPublicKey(InterfaceConfig.Load(result.ConfigPath).Config.Interface.PrivateKey));
        Assert.False(File.Exists(pendingPath));
        Assert.NotNull(result.Fetch);
        Assert.True(result.Fetch.ServerReachable);
    }

    [Fact]
    public async Task Install_ConfigWriteFails_AfterTheRedeem_TheRerunSucceedsWithTheSameKey()
    {
        using var files = new ClientFiles();
        int obstructions = 1;
        // Between the commit and the answer, something else creates the config file, so the create-new write fails.
        await using var server = await InProcessServer.StartAsync(app => app.Use(async (context, next) =>
        {
            await next(context);
            if (context.Request.Path == "/v1/user/redeem" && obstructions-- > 0)
            {
                File.WriteAllText(files.ConfigFile(Iface), "in the way");
            }
        }));
        var humans = server.AddCidr("humans", "127.42.1.0/24");
        var (invitee, temporary) = server.AddPeer("newbie", "127.42.1.5", humans.Id, redeemed: false);
        string invitation = WriteInvitation(server, files, invitee.Ip, temporary);
        var (installer, _, _) = Create(new RecordingLog());

        await Assert.ThrowsAsync<IOException>(() => installer.InstallAsync(Request(files, invitation), null, Ct));
        var stored = server.Store.GetPeer(invitee.Id)!;
        Assert.True(stored.IsRedeemed);
        Assert.True(File.Exists(PendingRedeemKey.PathFor(files.ConfigDirectory, Iface)));

        File.Delete(files.ConfigFile(Iface));
        var (rerun, _, _) = Create(new RecordingLog());
        var result = await rerun.InstallAsync(Request(files, invitation), null, Ct);

        Assert.Equal(stored, server.Store.GetPeer(invitee.Id));
        Assert.Equal(stored.PublicKey, WireGuardKeys.GetPublicKey(InterfaceConfig.Load(result.ConfigPath).Config.Interface.PrivateKey));
        Assert.False(File.Exists(PendingRedeemKey.PathFor(files.ConfigDirectory, Iface)));
    }

    [Fact]
    public async Task Install_RedeemRefused_TearsDown_AndLeavesNoConfig()
    {
        await using var server = await InProcessServer.StartAsync();
        using var files = new ClientFiles();
        var humans = server.AddCidr("humans", "127.42.1.0/24");
        var (already, keys) = server.AddPeer("old", "127.42.1.6", humans.Id, redeemed: true);
        string invitation = WriteInvitation(server, files, already.Ip, keys);
        var log = new RecordingLog();
        var (installer, layer, _) = Create(log);

        var e = await Assert.ThrowsAsync<ApiStatusException>(() => installer.InstallAsync(Request(files, invitation), null, Ct));

        // Redeemed long ago with another key: the server refuses this one for good, so no pending key is kept.
        Assert.Equal(HttpStatusCode.Gone, e.StatusCode);
        Assert.False(File.Exists(PendingRedeemKey.PathFor(files.ConfigDirectory, Iface)));
        Assert.Equal([Iface], layer.BringDowns);
        Assert.Null(layer.Fake.GetDevice(Iface));
        Assert.False(File.Exists(files.ConfigFile(Iface)));
        Assert.Equal(keys.Public, server.Store.GetPeer(already.Id)!.PublicKey);
        Assert.Contains(log.Warnings, w => w.Contains("is the innernet server reachable", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Install_ExistingConfig_IsRefusedBeforeAnythingHappens()
    {
        await using var server = await InProcessServer.StartAsync();
        using var files = new ClientFiles();
        var humans = server.AddCidr("humans", "127.42.1.0/24");
        var (invitee, temporary) = server.AddPeer("newbie", "127.42.1.5", humans.Id, redeemed: false);
        string invitation = WriteInvitation(server, files, invitee.Ip, temporary);
        File.WriteAllText(files.ConfigFile(Iface), "existing");
        var (installer, layer, _) = Create(new RecordingLog());

        await Assert.ThrowsAsync<Core.InnernetException>(() => installer.InstallAsync(Request(files, invitation), null, Ct));

        Assert.Empty(layer.BringUps);
        Assert.False(server.Store.GetPeer(invitee.Id)!.IsRedeemed);
        Assert.Equal("existing", File.ReadAllText(files.ConfigFile(Iface)));
    }
}
