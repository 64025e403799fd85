using Innernet.Client.Tests.Fakes;
using Innernet.Core.Api;
using Innernet.Core.Cidrs;
using Innernet.Core.Config;
using Innernet.Core.Fetch;
using Innernet.Core.Keys;

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

        Assert.Equal(HttpStatusCode.Unauthorized, e.StatusCode);
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
