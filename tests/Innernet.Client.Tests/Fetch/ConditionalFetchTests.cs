using System.Collections.Concurrent;
using Innernet.Client.Tests.Fakes;
using Innernet.Core;
using Innernet.Core.Api;
using Innernet.Core.Client;
using Innernet.Core.Fetch;
using Innernet.Core.Keys;
using Innernet.Core.Model;
using Innernet.Netlink.WireGuard;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Innernet.Client.Tests.Fetch;

/// <summary>
/// The conditional state fetch: the client keeps the server's ETag beside its peer cache, sends it as
/// <c>If-None-Match</c>, and on a 304 applies the cached answer through the same checks as a fresh one.
/// </summary>
public sealed class ConditionalFetchTests
{
    private const string Iface = InProcessServer.NetworkName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>What the server saw and answered for each <c>GET /v1/user/state</c>.</summary>
    private sealed record Exchange(string? IfNoneMatch, int Status, string? ETag);

    private sealed class Setup : IAsyncDisposable
    {
        private Setup(InProcessServer server, ConcurrentQueue<Exchange> exchanges, KeyPair aliceKeys, Peer bob)
        {
            Server = server;
            Exchanges = exchanges;
            AliceKeys = aliceKeys;
            Bob = bob;
        }

        public InProcessServer Server { get; }

        public ConcurrentQueue<Exchange> Exchanges { get; }

        public ClientFiles Files { get; } = new();

        public FakeInterfaceLayer Layer { get; } = new();

        public RecordingLog Log { get; } = new();

        public KeyPair AliceKeys { get; }

        public Peer Bob { get; }

        public string ETagPath => ClientPaths.EntityTagFile(Files.DataDirectory, Iface);

        public string CachePath => Files.DataFile(Iface);

        /// <param name="rewriteETag">Replaces the ETag of every state answer (a misbehaving server).</param>
        public static async Task<Setup> CreateAsync(Func<string, string>? rewriteETag = null)
        {
            var exchanges = new ConcurrentQueue<Exchange>();
            var server = await InProcessServer.StartAsync(app => app.Use(async (context, next) =>
            {
                if (context.Request.Path != "/v1/user/state")
                {
                    await next(context);
                    return;
                }

                if (rewriteETag is not null)
                {
                    context.Response.OnStarting(() =>
                    {
                        context.Response.Headers.ETag = rewriteETag(context.Response.Headers.ETag.ToString());
                        return Task.CompletedTask;
                    });
                }

                string? sent = context.Request.Headers.IfNoneMatch.Count == 0 ? null : context.Request.Headers.IfNoneMatch.ToString();
                await next(context);
                exchanges.Enqueue(new Exchange(sent, context.Response.StatusCode, context.Response.Headers.ETag.ToString()));
            }));
            var humans = server.AddCidr("humans", "127.42.1.0/24");
            var (alice, aliceKeys) = server.AddPeer("alice", "127.42.1.2", humans.Id);
            var (bob, _) = server.AddPeer("bob", "127.42.1.3", humans.Id);
            var setup = new Setup(server, exchanges, aliceKeys, bob);
            server.ClientConfig(alice.Ip, aliceKeys).Save(setup.Files.ConfigFile(Iface));
            return setup;
        }

        public Task<FetchResult> FetchAsync(bool bringUp = false)
        {
            var time = new ManualTime(DateTimeOffset.UnixEpoch.AddYears(56));
            var fetcher = new InterfaceFetcher(
                Layer, Log, InProcessServer.ApiFromConfig, time, time.Delay, static e => e.TryGetIPEndPoint());
            return fetcher.FetchAsync(
                new FetchRequest
                {
                    InterfaceName = Iface,
                    ConfigDirectory = Files.ConfigDirectory,
                    DataDirectory = Files.DataDirectory,
                    Hosts = new HostsOptions { Path = Files.HostsPath, Write = true },
                    Nat = new NatOptions { NoTraversal = true },
                    BringUp = bringUp,
                },
                Ct);
        }

        public Exchange LastExchange() => Exchanges.Last();

        public async ValueTask DisposeAsync()
        {
            await Server.DisposeAsync();
            Files.Dispose();
        }
    }

    [Fact]
    public async Task SecondFetch_SendsTheETag_Gets304_AppliesNothingNew_ReportsNotModified()
    {
        await using var s = await Setup.CreateAsync();
        var first = await s.FetchAsync(bringUp: true);
        var firstExchange = s.LastExchange();
        int updates = s.Layer.Fake.Updates.Count;
        string cache = File.ReadAllText(s.CachePath);
        File.WriteAllText(s.Files.HostsPath, "sentinel\n");

        var second = await s.FetchAsync();

        Assert.Equal(new Exchange(null, 200, firstExchange.ETag), firstExchange);
        Assert.False(first.NotModified);
        Assert.Equal(new Exchange(firstExchange.ETag, 304, firstExchange.ETag), s.LastExchange());
        Assert.True(second.NotModified);
        Assert.True(second.ServerReachable);
        Assert.DoesNotContain(second.Changes, c => !c.NatReattemptOnly);
        Assert.Equal(updates, s.Layer.Fake.Updates.Count);
        Assert.False(second.HostsWritten);
        Assert.Equal("sentinel\n", File.ReadAllText(s.Files.HostsPath));
        Assert.Equal(cache, File.ReadAllText(s.CachePath));
        Assert.Equal(first.Peers.Select(p => p.Name).Order(), second.Peers.Select(p => p.Name).Order());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(s.ETagPath));
    }

    [Fact]
    public async Task NotModified_StillHealsDriftOnTheDevice()
    {
        await using var s = await Setup.CreateAsync();
        await s.FetchAsync(bringUp: true);
        s.Layer.Fake.ConfigureDevice(Iface, new DeviceConfig { Peers = { new PeerConfig { PublicKey = s.Bob.PublicKey, Remove = true } } });
        Assert.DoesNotContain(s.Layer.Fake.GetDevice(Iface)!.Peers, p => p.PublicKey == s.Bob.PublicKey);

        var result = await s.FetchAsync();

        Assert.True(result.NotModified);
        Assert.Contains(s.Layer.Fake.GetDevice(Iface)!.Peers, p => p.PublicKey == s.Bob.PublicKey);
    }

    [Fact]
    public async Task ChangedState_Gets200_WithANewETag_AndIsApplied()
    {
        await using var s = await Setup.CreateAsync();
        await s.FetchAsync(bringUp: true);
        string firstTag = s.LastExchange().ETag!;
        s.Server.AddPeer("carol", "127.42.1.4", s.Bob.CidrId);

        var result = await s.FetchAsync();

        var exchange = s.LastExchange();
        Assert.Equal(firstTag, exchange.IfNoneMatch);
        Assert.Equal(200, exchange.Status);
        Assert.NotEqual(firstTag, exchange.ETag);
        Assert.False(result.NotModified);
        Assert.Contains(result.Peers, p => p.Name == "carol");
        Assert.Contains(exchange.ETag!, File.ReadAllText(s.ETagPath), StringComparison.Ordinal);

        await s.FetchAsync();
        Assert.Equal((exchange.ETag, 304), (s.LastExchange().IfNoneMatch, s.LastExchange().Status));
    }

    public static TheoryData<string> BrokenETagFiles => new(["missing", "garbage", "other cache", "unquoted tag", "cache moved away"]);

    [Theory]
    [MemberData(nameof(BrokenETagFiles))]
    public async Task MissingOrBrokenETagFile_DoesAPlainGet_AndWritesAGoodOne(string broken)
    {
        await using var s = await Setup.CreateAsync();
        await s.FetchAsync(bringUp: true);
        string tag = s.LastExchange().ETag!;
        string hash = File.ReadAllLines(s.ETagPath)[0];
        switch (broken)
        {
            case "missing":
                File.Delete(s.ETagPath);
                break;
            case "garbage":
                File.WriteAllBytes(s.ETagPath, [0xff, 0x00, 0x0a, 0x22]);
                break;
            case "other cache":
                File.WriteAllText(s.ETagPath, $"{new string('0', hash.Length)}\n{tag}\n");
                break;
            case "unquoted tag":
                File.WriteAllText(s.ETagPath, $"{hash}\n{tag.Trim('"')}\n");
                break;
            default:
                File.Move(s.CachePath, s.CachePath + ".moved");
                break;
        }

        var result = await s.FetchAsync();

        Assert.Equal(new Exchange(null, 200, tag), s.LastExchange());
        Assert.False(result.NotModified);
        Assert.Equal([File.ReadAllLines(s.ETagPath)[0], tag], File.ReadAllLines(s.ETagPath));
        Assert.Equal(DataStore.Open(s.CachePath).ContentHash, File.ReadAllLines(s.ETagPath)[0]);
        await s.FetchAsync();
        Assert.Equal(304, s.LastExchange().Status);
    }

    [Fact]
    public async Task NotModified_AnswerFromTheCache_IsCheckedLikeAFreshOne()
    {
        await using var s = await Setup.CreateAsync();
        await s.FetchAsync(bringUp: true);
        string tag = s.LastExchange().ETag!;
        // Someone with write access to the data directory plants a peer that breaks a rule, and binds the tag to it.
        var store = DataStore.Open(s.CachePath);
        var planted = store.Peers.Select(p => p.Name == "bob" ? p with { Name = "not a hostname!" } : p).ToList();
        File.Delete(s.CachePath);
        var replanted = DataStore.Open(s.CachePath);
        replanted.UpdatePeersAndSetCidrs(planted, store.Cidrs);
        StateEntityTagFile.Write(s.ETagPath, replanted, tag);
        int updates = s.Layer.Fake.Updates.Count;

        await Assert.ThrowsAsync<ServerAnswerException>(() => s.FetchAsync());

        Assert.Equal(304, s.LastExchange().Status);
        Assert.Equal(updates, s.Layer.Fake.Updates.Count);
    }

    public static TheoryData<string> BadServerTags => new(["unquoted", "\"has\"quote\"", "\"" + new string('a', 300) + "\""]);

    [Theory]
    [MemberData(nameof(BadServerTags))]
    public async Task MalformedServerETag_IsNotStored_NextFetchIsPlain(string bad)
    {
        await using var s = await Setup.CreateAsync(_ => bad);

        await s.FetchAsync(bringUp: true);
        await s.FetchAsync();

        Assert.False(File.Exists(s.ETagPath));
        Assert.All(s.Exchanges, e => Assert.Null(e.IfNoneMatch));
    }

    [Fact]
    public async Task ServerWithoutETags_DropsAStaleFile()
    {
        bool withTags = true;
        await using var s = await Setup.CreateAsync(tag => withTags ? tag : string.Empty);
        await s.FetchAsync(bringUp: true);
        Assert.True(File.Exists(s.ETagPath));
        s.Server.AddPeer("carol", "127.42.1.4", s.Bob.CidrId);
        withTags = false;

        await s.FetchAsync();

        Assert.False(File.Exists(s.ETagPath));
    }

    [Fact]
    public async Task Unsolicited304_IsAnError()
    {
        await using var server = await InProcessServer.StartAsync(app => app.Use((HttpContext context, RequestDelegate _) =>
        {
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }));
        var (peer, _) = server.AddPeer("alice", "127.42.0.2", Cidr.RootId);
        using var api = server.ApiFor(peer.Ip);

        var e = await Assert.ThrowsAsync<ApiStatusException>(() => api.GetStateAsync(null, Ct));

        Assert.Equal(HttpStatusCode.NotModified, e.StatusCode);
    }
}
