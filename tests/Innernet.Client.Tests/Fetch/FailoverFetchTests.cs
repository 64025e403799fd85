using System.Collections.Concurrent;
using Innernet.Client.Tests.Fakes;
using Innernet.Core.Api;
using Innernet.Core.Client;
using Innernet.Core.Fetch;
using Innernet.Core.Keys;
using Innernet.Core.Model;
using Innernet.Netlink.WireGuard;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Endpoint = Innernet.Core.Model.Endpoint;

namespace Innernet.Client.Tests.Fetch;

/// <summary>
/// A fetch that gets no answer moves the server peer's WireGuard endpoint to the next announced replica and asks again.
/// The in-process server stands for the replicas: it answers a request only while the fake device's server peer points at
/// a replica that is alive (the tunnel to a dead one carries nothing), and aborts the connection otherwise.
/// </summary>
public sealed class FailoverFetchTests
{
    private const string Iface = InProcessServer.NetworkName;
    private static readonly Endpoint A = InProcessServer.ExternalEndpoint;
    private static readonly Endpoint B = Endpoint.Parse("127.0.0.2:51821");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed class Setup : IAsyncDisposable
    {
        private readonly InProcessServer _server;

        private Setup(InProcessServer server, Peer alice, KeyPair aliceKeys)
        {
            _server = server;
            Alice = alice;
            AliceKeys = aliceKeys;
        }

        public ConcurrentBag<Endpoint> Dead { get; } = [];

        /// <summary>Replicas whose tunnel swallows requests: no answer and no reset.</summary>
        public ConcurrentBag<Endpoint> Silent { get; } = [];

        public ConcurrentQueue<(string Path, Endpoint? Via, bool Answered)> Requests { get; } = new();

        public string? Announce { get; set; } = $"{A}, {B}";

        public ClientFiles Files { get; } = new();

        public FakeInterfaceLayer Layer { get; } = new();

        public RecordingLog Log { get; } = new();

        public Peer Alice { get; }

        public KeyPair AliceKeys { get; }

        public string ReplicasPath => ClientPaths.ReplicasFile(Files.DataDirectory, Iface);

        public static async Task<Setup> CreateAsync()
        {
            Setup? setup = null;
            var server = await InProcessServer.StartAsync(app => app.Use(async (context, next) => await setup!.RouteAsync(context, next)));
            var humans = server.AddCidr("humans", "127.42.1.0/24");
            var (alice, aliceKeys) = server.AddPeer("alice", "127.42.1.2", humans.Id);
            server.AddPeer("bob", "127.42.1.3", humans.Id);
            setup = new Setup(server, alice, aliceKeys);
            server.ClientConfig(alice.Ip, aliceKeys).Save(setup.Files.ConfigFile(Iface));
            return setup;
        }

        /// <summary>The server peer's endpoint on the fake device (null before bring-up).</summary>
        public Endpoint? ServerPeerEndpoint()
        {
            if (Layer.Fake.GetDevice(Iface) is null)
            {
                return null;
            }

            var peer = Layer.Fake.Peers(Iface).SingleOrDefault(p => p.PublicKey.Equals(_server.ServerKeys.Public));
            return peer?.Endpoint is { } endpoint ? Endpoint.FromIPEndPoint(endpoint) : null;
        }

        /// <summary>The server peer on the fake device.</summary>
        public WireGuardPeer ServerPeer() => Layer.Fake.Peers(Iface).Single(p => p.PublicKey.Equals(_server.ServerKeys.Public));

        public Task<FetchResult> FetchAsync(InterfaceFetcher? fetcher = null, bool bringUp = false)
        {
            fetcher ??= NewFetcher();
            return fetcher.FetchAsync(Request(bringUp), Ct);
        }

        public InterfaceFetcher NewFetcher(TimeSpan? attemptTimeout = null)
        {
            var time = new ManualTime(DateTimeOffset.UnixEpoch.AddYears(56));
            return new InterfaceFetcher(Layer, Log, InProcessServer.ApiFromConfig, time, time.Delay, static e => e.TryGetIPEndPoint())
            {
                Replicas = new ServerFailover(time) { AttemptTimeout = attemptTimeout ?? ServerFailover.DefaultAttemptTimeout },
            };
        }

        public FetchRequest Request(bool bringUp = false) => new()
        {
            InterfaceName = Iface,
            ConfigDirectory = Files.ConfigDirectory,
            DataDirectory = Files.DataDirectory,
            Hosts = new HostsOptions { Path = Files.HostsPath, Write = false },
            Nat = new NatOptions { NoTraversal = true },
            BringUp = bringUp,
        };

        public async ValueTask DisposeAsync()
        {
            await _server.DisposeAsync();
            Files.Dispose();
        }

        private async Task RouteAsync(HttpContext context, RequestDelegate next)
        {
            var via = ServerPeerEndpoint();
            bool answered = via is not null && !Dead.Contains(via);
            Requests.Enqueue((context.Request.Path.ToString(), via, answered && !Silent.Contains(via!)));
            if (answered && Silent.Contains(via!))
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, context.RequestAborted).ContinueWith(static _ => { }, TaskScheduler.Default);
                return;
            }

            if (!answered)
            {
                context.Abort();
                return;
            }

            if (Announce is { } announce && context.Request.Path == "/v1/user/state")
            {
                context.Response.Headers[ReplicaAnnouncement.HeaderName] = announce;
            }

            await next(context);
        }
    }

    [Fact]
    public async Task Fetch_KeepsTheAnnouncedReplicas_TheOneInUseFirst_Private()
    {
        await using var s = await Setup.CreateAsync();

        var result = await s.FetchAsync(bringUp: true);

        Assert.True(result.ServerReachable);
        Assert.Equal([A, B], ReplicaFile.Read(s.ReplicasPath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(s.ReplicasPath));
        Assert.Equal(A, s.ServerPeerEndpoint());
    }

    [Fact]
    public async Task Fetch_ReplicaInUseDead_MovesTheServerPeerToTheNext_AndStaysThere()
    {
        await using var s = await Setup.CreateAsync();
        await s.FetchAsync(bringUp: true);
        s.Dead.Add(A);

        var failedOver = await s.FetchAsync();

        Assert.True(failedOver.ServerReachable);
        Assert.Equal(B, s.ServerPeerEndpoint());
        Assert.Equal([B, A], ReplicaFile.Read(s.ReplicasPath));
        Assert.Contains(s.Log.Warnings, w => w.Contains($"Trying the server replica at {B}", StringComparison.Ordinal));
        Assert.Contains(s.Requests, r => r is { Path: "/v1/user/state", Answered: false } && r.Via == A);
        Assert.Contains(s.Requests, r => r is { Path: "/v1/user/state", Answered: true } && r.Via == B);

        // The next fetch goes to B at once, and the device diff does not move the server peer back to the endpoint the
        // server's own row holds (A's).
        int before = s.Requests.Count;
        var next = await s.FetchAsync();

        Assert.True(next.ServerReachable);
        Assert.Equal(B, s.ServerPeerEndpoint());
        Assert.All(s.Requests.Skip(before), r => Assert.True(r.Answered));
    }

    [Fact]
    public async Task Move_DropsTheSessionWithTheOldReplica_KeepsTheServerPeersSettings()
    {
        await using var s = await Setup.CreateAsync();
        await s.FetchAsync(bringUp: true);
        var before = s.ServerPeer();
        s.Layer.Fake.SetHandshake(Iface, before.PublicKey, DateTimeOffset.UnixEpoch.AddYears(56));
        s.Dead.Add(A);

        Assert.True((await s.FetchAsync()).ServerReachable);

        // The handshake (the session) was A's: WireGuard would go on sending to B with A's keys and B would drop it all.
        var after = s.ServerPeer();
        Assert.Equal(B, Endpoint.FromIPEndPoint(after.Endpoint!));
        Assert.Null(after.LastHandshake);
        Assert.Equal(before.AllowedIPs, after.AllowedIPs);
        Assert.Equal(before.PersistentKeepaliveInterval, after.PersistentKeepaliveInterval);
        Assert.NotEqual(0, after.PersistentKeepaliveInterval);
    }

    [Fact]
    public async Task Fetch_ReplicaInUseSilent_MovesAfterTheAttemptTimeout_NotTheClientsWholeTimeout()
    {
        await using var s = await Setup.CreateAsync();
        await s.FetchAsync(bringUp: true);
        s.Silent.Add(A);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var result = await s.FetchAsync(s.NewFetcher(TimeSpan.FromMilliseconds(300)));

        Assert.True(result.ServerReachable);
        Assert.Equal(B, s.ServerPeerEndpoint());
        string expected = $"No answer within 0.3 s. Trying the server replica at {B}";
        Assert.Contains(s.Log.Warnings, w => w.Contains(expected, StringComparison.Ordinal));
        Assert.True(clock.Elapsed < InnernetApiClientOptions.DefaultTimeout, $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Fetch_EveryReplicaDead_FallsBackToTheCache_AfterOneTryEach()
    {
        await using var s = await Setup.CreateAsync();
        await s.FetchAsync(bringUp: true);
        s.Dead.Add(A);
        s.Dead.Add(B);
        int before = s.Requests.Count;

        var result = await s.FetchAsync();

        Assert.False(result.ServerReachable);
        Assert.Equal(2, s.Requests.Skip(before).Count(r => r.Path == "/v1/user/state"));
    }

    [Fact]
    public async Task Fetch_ServerAnnouncesNothing_LeavesNoFile_AndNeverMoves()
    {
        await using var s = await Setup.CreateAsync();
        s.Announce = null;
        await s.FetchAsync(bringUp: true);

        Assert.False(File.Exists(s.ReplicasPath));
        s.Dead.Add(A);
        var result = await s.FetchAsync();

        Assert.False(result.ServerReachable);
        Assert.Equal(A, s.ServerPeerEndpoint());
    }

    [Fact]
    public async Task FailOver_MovesOncePerSettleTime_ForTheLiveSession()
    {
        await using var s = await Setup.CreateAsync();
        var fetcher = s.NewFetcher();
        await s.FetchAsync(fetcher, bringUp: true);

        Assert.Equal(B, fetcher.FailOver(s.Request()));
        Assert.Null(fetcher.FailOver(s.Request()));
        Assert.Equal(B, s.ServerPeerEndpoint());
        Assert.Equal([B, A], ReplicaFile.Read(s.ReplicasPath));
    }
}
