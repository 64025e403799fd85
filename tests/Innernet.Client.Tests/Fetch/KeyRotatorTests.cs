using Innernet.Client.Tests.Fakes;
using Innernet.Core;
using Innernet.Core.Config;
using Innernet.Core.Fetch;
using Innernet.Core.Keys;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Innernet.Client.Tests.Fetch;

/// <summary><see cref="KeyRotator"/> against the real server in process: the new key is kept before sending, a lost answer loses
/// nothing.</summary>
public sealed class KeyRotatorTests
{
    private const string Iface = InProcessServer.NetworkName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Rotate_SwitchesServerConfigAndDevice_AndRemovesThePendingKey()
    {
        await using var server = await InProcessServer.StartAsync();
        using var files = new ClientFiles();
        var (alice, keys, layer) = Install(server, files);

        var (publicKey, generation) = await Rotator(layer).RotateAsync(files.ConfigDirectory, Iface, Ct);

        Assert.Equal(1, generation);
        Assert.NotEqual(keys.Public, publicKey);
        Assert.Equal(publicKey, server.Store.GetPeer(alice.Id)!.PublicKey);
        var config = InterfaceConfig.Load(files.ConfigFile(Iface)).Config;
        Assert.Equal(publicKey, WireGuardKeys.GetPublicKey(config.Interface.PrivateKey));
        Assert.Equal(config.Interface.PrivateKey, layer.Fake.GetDevice(Iface)!.PrivateKey);
        Assert.False(File.Exists(KeyRotator.PendingPath(files.ConfigDirectory, Iface)));

        // And once more: generation 2, signed by the key the first rotation installed.
        var (second, nextGeneration) = await Rotator(layer).RotateAsync(files.ConfigDirectory, Iface, Ct);
        Assert.Equal(2, nextGeneration);
        Assert.Equal(second, server.Store.GetPeer(alice.Id)!.PublicKey);
    }

    [Fact]
    public async Task Rotate_AnswerLost_KeepsThePendingKey_ARepeatFinishesWithTheSameKey()
    {
        int rotations = 0;
        await using var server = await InProcessServer.StartAsync(app => app.Use(async (HttpContext context, RequestDelegate next) =>
        {
            await next(context);
            if (context.Request.Path == "/v1/user/rotate-key" && Interlocked.Increment(ref rotations) == 1)
            {
                context.Abort();
            }
        }));
        using var files = new ClientFiles();
        var (alice, keys, layer) = Install(server, files);
        string configBefore = File.ReadAllText(files.ConfigFile(Iface));

        await Assert.ThrowsAnyAsync<InnernetException>(() => Rotator(layer).RotateAsync(files.ConfigDirectory, Iface, Ct));

        var onServer = server.Store.GetPeer(alice.Id)!.PublicKey;
        Assert.NotEqual(keys.Public, onServer);
        Assert.Equal(configBefore, File.ReadAllText(files.ConfigFile(Iface)));
        Assert.True(File.Exists(KeyRotator.PendingPath(files.ConfigDirectory, Iface)));

        var (publicKey, generation) = await Rotator(layer).RotateAsync(files.ConfigDirectory, Iface, Ct);

        Assert.Equal(onServer, publicKey);
        Assert.Equal(1, generation);
        Assert.Equal(1, rotations);
        Assert.Equal(publicKey, WireGuardKeys.GetPublicKey(InterfaceConfig.Load(files.ConfigFile(Iface)).Config.Interface.PrivateKey));
        Assert.False(File.Exists(KeyRotator.PendingPath(files.ConfigDirectory, Iface)));
    }

    [Fact]
    public async Task Rotate_ServerWithoutTheEndpoint_SaysSo_AndChangesNothing()
    {
        await using var server = await HostileServer.StartAsync();
        using var files = new ClientFiles();
        server.Config.Save(files.ConfigFile(HostileServer.NetworkName));
        var layer = new FakeInterfaceLayer();
        layer.Fake.CreateDevice(HostileServer.NetworkName);
        string configBefore = File.ReadAllText(files.ConfigFile(HostileServer.NetworkName));
        var rotator = new KeyRotator(layer, new RecordingLog(), static config => new Core.Api.InnernetApiClient(
            config.Server.InternalEndpoint, config.Server.PublicKey,
            new Core.Api.InnernetApiClientOptions { LocalAddress = config.Interface.Address.Address }),
                static (_, _) => Task.CompletedTask);

        var e = await Assert.ThrowsAsync<InnernetException>(() =>
            rotator.RotateAsync(files.ConfigDirectory, HostileServer.NetworkName, Ct));

        Assert.Contains("does not support key rotation", e.Message, StringComparison.Ordinal);
        Assert.Equal(configBefore, File.ReadAllText(files.ConfigFile(HostileServer.NetworkName)));
        Assert.False(File.Exists(KeyRotator.PendingPath(files.ConfigDirectory, HostileServer.NetworkName)));
    }

    [Fact]
    public async Task Rotate_AnotherPeersFetch_ReplacesTheKeyOnItsDeviceAndMovesItsPin()
    {
        await using var server = await InProcessServer.StartAsync();
        using var files = new ClientFiles();
        using var bobFiles = new ClientFiles();
        var (alice, keys, layer) = Install(server, files);
        var (bob, bobKeys) = server.AddPeer("bob", "127.42.1.3", alice.CidrId);
        server.ClientConfig(bob.Ip, bobKeys).Save(bobFiles.ConfigFile(Iface));
        var bobLayer = new FakeInterfaceLayer();
        var time = new ManualTime(DateTimeOffset.UtcNow);
        var log = new RecordingLog();
        var fetcher = new InterfaceFetcher(bobLayer, log, InProcessServer.ApiFromConfig, time, time.Delay,
            static e => e.TryGetIPEndPoint());
        var request = new FetchRequest
        {
            InterfaceName = Iface,
            ConfigDirectory = bobFiles.ConfigDirectory,
            DataDirectory = bobFiles.DataDirectory,
            Hosts = new HostsOptions { Write = false, Path = bobFiles.HostsPath },
            Nat = new NatOptions { NoTraversal = true },
            BringUp = true,
        };
        await fetcher.FetchAsync(request, Ct);
        Assert.Contains(bobLayer.Fake.GetDevice(Iface)!.Peers, p => p.PublicKey == keys.Public);

        var (publicKey, _) = await Rotator(layer).RotateAsync(files.ConfigDirectory, Iface, Ct);
        await fetcher.FetchAsync(request, Ct);

        var peers = bobLayer.Fake.GetDevice(Iface)!.Peers;
        Assert.Contains(peers, p => p.PublicKey == publicKey);
        Assert.DoesNotContain(peers, p => p.PublicKey == keys.Public);
        Assert.Equal(publicKey, Core.Client.DataStore.Open(bobFiles.DataFile(Iface)).Peers.Single(p => p.Id == alice.Id).PublicKey);
    }

    private static (Core.Model.Peer Alice, KeyPair Keys, FakeInterfaceLayer Layer) Install(InProcessServer server, ClientFiles files)
    {
        var humans = server.AddCidr("humans", "127.42.1.0/24");
        var (alice, keys) = server.AddPeer("alice", "127.42.1.2", humans.Id);
        server.ClientConfig(alice.Ip, keys).Save(files.ConfigFile(Iface));
        var layer = new FakeInterfaceLayer();
        layer.Fake.CreateDevice(Iface);
        layer.Fake.ConfigureDevice(Iface, new Netlink.WireGuard.DeviceConfig { PrivateKey = keys.Private });
        return (alice, keys, layer);
    }

    private static KeyRotator Rotator(FakeInterfaceLayer layer)
        => new(layer, new RecordingLog(), InProcessServer.ApiFromConfig, static (_, _) => Task.CompletedTask);
}
