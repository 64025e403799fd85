using System.Text.Json;
using Innernet.Core.Live;
using Innernet.Core.Model;
using Innernet.Netlink.WireGuard;
using Innernet.Core.Fetch;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Time.Testing;

namespace Innernet.Client.Tests.Live;

/// <summary>
/// <c>inn up --daemon</c> (<see cref="LiveSession"/>) against the real server, not a script: real Kestrel, the real
/// store, the real state stream, the client's in-memory device. A change made through the API reaches the device, the
/// hosts file and the cache over the one stream the client holds, without a fetch.
/// </summary>
public sealed class LiveSessionServerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed record Network(InProcessServer Server, Peer Admin, Peer Alice, Core.Keys.KeyPair AliceKeys, Peer Bob,
        Core.Keys.KeyPair BobKeys);

    private static async Task<Network> NetworkAsync(Action<WebApplication>? configure = null)
    {
        var server = await InProcessServer.StartAsync(configure);
        var humans = server.AddCidr("humans", "127.42.1.0/24");
        var admin = server.AddPeer("admin", "127.42.1.2", humans.Id, admin: true).Peer;
        var (alice, aliceKeys) = server.AddPeer("alice", "127.42.1.3", humans.Id);
        var (bob, bobKeys) = server.AddPeer("bob", "127.42.1.4", humans.Id);
        return new Network(server, admin, alice, aliceKeys, bob, bobKeys);
    }

    [Fact]
    public async Task AdminChanges_ReachTheDeviceTheHostsFileAndTheCache_OverTheHeldStream()
    {
        var net = await NetworkAsync();
        await using var server = net.Server;
        await using var alice = new LiveClient(server, net.Alice.Ip, net.AliceKeys);
        alice.Start();
        await alice.UntilAsync(() => alice.Session.View is not null && alice.DeviceKeys.Contains(net.Bob.PublicKey), "alice's full view");
        using var admin = server.ApiFor(net.Admin.Ip);

        var carol = await admin.AddPeerAsync(NewPeer("carol", "127.42.1.5", net.Alice.CidrId), Ct);
        var carolKey = carol.PublicKey;
        await alice.UntilAsync(
            () => alice.DeviceKeys.Contains(carolKey) && Hosts(alice).Contains("carol.testnet.wg", StringComparison.Ordinal)
                && CachedPeer(alice, "carol") is { } cached && cached.GetProperty("public_key").GetString() == carolKey.ToString(),
            "carol on alice's device, in her hosts file and in her cache");

        await admin.DeletePeerAsync(net.Bob.Id, Ct);
        await alice.UntilAsync(
            () => !alice.DeviceKeys.Contains(net.Bob.PublicKey) && !Hosts(alice).Contains("bob.testnet.wg", StringComparison.Ordinal)
                && CachedPeer(alice, "bob") is { } cached && cached.GetProperty("is_disabled").GetBoolean(),
            "bob off alice's device and hosts file, disabled in her cache (its pin kept)");

        Assert.Equal(1, alice.Session.StreamsOpened);
        Assert.Equal(1, alice.Session.FullViewsApplied);
        Assert.Equal(2, alice.Session.DifferencesApplied);
        Assert.Contains(carolKey, alice.DeviceKeys);
        Assert.Contains(server.ServerKeys.Public, alice.DeviceKeys);
        var status = LiveStatusFile.ReadRunning(alice.StatusPath);
        Assert.Equal(LiveMode.Live, status?.Mode);
        Assert.Equal(alice.Session.View!.Version, status?.Version);
        Assert.Null(alice.Session.View.Peers.ById(net.Bob.Id));
        Assert.Equal("carol", alice.Session.View.Peers.ById(carol.Id)?.Name);
    }

    [Fact]
    public async Task RestartedDaemon_ResumesTheStreamFromTheVersionItKept_WithoutAFullView()
    {
        var since = new System.Collections.Concurrent.ConcurrentQueue<string?>();
        var net = await NetworkAsync(app => app.Use(async (context, next) =>
        {
            if (context.Request.Path == "/v1/user/state/stream")
            {
                since.Enqueue(context.Request.Query.TryGetValue("since", out var value) ? value.ToString() : null);
            }

            await next(context);
        }));
        await using var server = net.Server;
        await using var alice = new LiveClient(server, net.Alice.Ip, net.AliceKeys);
        using var admin = server.ApiFor(net.Admin.Ip);
        string resumePath = ClientPaths.ResumeFile(alice.Files.DataDirectory, LiveClient.Iface);
        alice.Start();
        await alice.UntilAsync(() => alice.Session.View is not null, "alice's full view");
        var carol = await admin.AddPeerAsync(NewPeer("carol", "127.42.1.5", net.Alice.CidrId), Ct);
        await alice.UntilAsync(
            () => alice.Session.DifferencesApplied == 1 && LiveResumeFile.Read(resumePath) == alice.Session.View?.Version,
            "carol's difference applied and its version kept");
        string kept = LiveResumeFile.Read(resumePath)!;

        // The daemon stops (the interface stays); while it is gone dave joins; then it starts again.
        await alice.RestartAsync();
        await alice.UntilAsync(() => alice.Session.StreamsOpened == 1 && alice.Session.Mode == LiveMode.Live, "the restarted session live");
        var dave = await admin.AddPeerAsync(NewPeer("dave", "127.42.1.6", net.Alice.CidrId), Ct);
        await alice.UntilAsync(() => alice.DeviceKeys.Contains(dave.PublicKey), "dave on alice's device");
        var erin = await admin.AddPeerAsync(NewPeer("erin", "127.42.1.7", net.Alice.CidrId), Ct);
        await alice.UntilAsync(() => alice.DeviceKeys.Contains(erin.PublicKey), "erin on alice's device");

        // The restarted session sent the kept version and never needed a full message.
        Assert.Equal([null, kept], since);
        Assert.Equal(0, alice.Session.FullViewsApplied);
        Assert.True(alice.Session.DifferencesApplied >= 2, $"{alice.Session.DifferencesApplied} differences");
        Assert.Contains(carol.PublicKey, alice.DeviceKeys);
        Assert.Equal(["admin", "bob", "carol", "dave", "erin"], alice.Session.View!.Peers.All.Select(p => p.Name).Where(n => n != "alice")
            .Where(n => n != "innernet-server").Order(StringComparer.Ordinal));
        await alice.UntilAsync(() => LiveResumeFile.Read(resumePath) == alice.Session.View.Version, "the new version kept");
    }

    [Fact]
    public async Task PeerEndpointChanged_TheNewEndpointIsOnTheDeviceAtOnce_FromTheDifference()
    {
        var net = await NetworkAsync();
        await using var server = net.Server;
        // The session's clock stands still: no re-check of the device and no poll can run; only a difference can
        // change the device.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var alice = new LiveClient(server, net.Alice.Ip, net.AliceKeys, time);
        alice.Start();
        await alice.UntilAsync(() => alice.Session.View is not null && alice.DeviceKeys.Contains(net.Bob.PublicKey), "alice's full view");
        Assert.Null(EndpointOf(alice, net.Bob.PublicKey));
        using var bob = server.ApiFor(net.Bob.Ip);

        await bob.SetEndpointAsync(EndpointContents.Set(Endpoint.Parse("127.0.0.1:41001")), Ct);
        await alice.UntilAsync(() => EndpointOf(alice, net.Bob.PublicKey) is { Port: 41001 }, "bob's first endpoint on alice's device");

        // bob roams: the next difference moves alice's device to the new endpoint.
        await bob.SetEndpointAsync(EndpointContents.Set(Endpoint.Parse("127.0.0.1:41002")), Ct);
        await alice.UntilAsync(() => EndpointOf(alice, net.Bob.PublicKey) is { Port: 41002 }, "bob's new endpoint on alice's device");

        Assert.Equal(1, alice.Session.StreamsOpened);
        Assert.Equal(2, alice.Session.DifferencesApplied);
        var bobUpdates = alice.Layer.Fake.Updates.SelectMany(u => u.Config.Peers).Where(p => p.PublicKey == net.Bob.PublicKey).ToList();
        Assert.Equal([41001, 41002], bobUpdates.Where(p => p.Endpoint is not null).Select(p => p.Endpoint!.Port));
        Assert.All(bobUpdates.Skip(1), p => Assert.False(p.Remove));
    }

    [Fact]
    public async Task PeerGotCandidates_NatTraversalTriesThemAtOnce_WithoutWaitingForAFetch()
    {
        var net = await NetworkAsync();
        await using var server = net.Server;
        // Traversal's waits advance this clock instead of sleeping (5 s per candidate step).
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var waits = new System.Collections.Concurrent.ConcurrentQueue<TimeSpan>();
        await using var alice = new LiveClient(server, net.Alice.Ip, net.AliceKeys, time, (span, ct) =>
        {
            waits.Enqueue(span);
            time.Advance(span);
            return ct.IsCancellationRequested ? Task.FromCanceled(ct) : Task.CompletedTask;
        }, natTraversal: true);
        alice.Start();
        await alice.UntilAsync(() => alice.Session.View is not null && alice.DeviceKeys.Contains(net.Bob.PublicKey), "alice's full view");
        Assert.Null(EndpointOf(alice, net.Bob.PublicKey));
        using var bob = server.ApiFor(net.Bob.Ip);

        // bob reports two NAT candidates and no endpoint: alice's device never hears from bob (no handshake), so
        // traversal tries them, last first, one step each.
        await bob.SetCandidatesAsync([Endpoint.Parse("127.0.0.1:42001"), Endpoint.Parse("127.0.0.1:42002")], Ct);
        await alice.UntilAsync(
            () => TriedEndpoints(alice, net.Bob.PublicKey).Count >= 2, "traversal to try both of bob's candidates",
                TimeSpan.FromSeconds(30));

        Assert.Equal([42002, 42001], TriedEndpoints(alice, net.Bob.PublicKey).Select(e => e.Port));
        Assert.Equal(1, alice.Session.StreamsOpened);
        Assert.Equal(1, alice.Session.DifferencesApplied);
        Assert.Contains(NatTraversalStep, waits);
    }

    private static PeerContents NewPeer(string name, string ip, long cidrId) => new()
    {
        Name = name,
        Ip = IPAddress.Parse(ip),
        CidrId = cidrId,
        PublicKey = Core.Keys.KeyPair.Generate().Public,
        IsRedeemed = true,
    };

    private static readonly TimeSpan NatTraversalStep = Core.Nat.NatTraversal.StepInterval;

    private static IPEndPoint? EndpointOf(LiveClient client, WireGuardKey key)
        => client.Layer.Fake.Peers(LiveClient.Iface).FirstOrDefault(p => p.PublicKey == key)?.Endpoint;

    /// <summary>The endpoints NAT traversal set for <paramref name="key"/> (endpoint-only updates), in order.</summary>
    private static List<IPEndPoint> TriedEndpoints(LiveClient client, WireGuardKey key)
        => [.. client.Layer.Fake.Updates.SelectMany(u => u.Config.Peers)
            .Where(p => p.PublicKey == key && p.UpdateOnly && p.Endpoint is not null)
            .Select(p => p.Endpoint!)];

    private static string Hosts(LiveClient client) => File.Exists(client.Files.HostsPath) ? File.ReadAllText(client.Files.HostsPath) : "";

    /// <summary>The peer named <paramref name="name"/> in the client's cache file as written (innernet's JSON), or null.</summary>
    private static JsonElement? CachedPeer(LiveClient client, string name)
    {
        string path = client.Files.DataFile(LiveClient.Iface);
        if (!File.Exists(path))
        {
            return null;
        }

        using var cache = JsonDocument.Parse(File.ReadAllBytes(path));
        foreach (var peer in cache.RootElement.GetProperty("peers").EnumerateArray())
        {
            if (peer.GetProperty("name").GetString() == name)
            {
                return peer.Clone();
            }
        }

        return null;
    }
}
