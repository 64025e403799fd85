using System.Collections.Concurrent;
using Innernet.Client.Tests.Fakes;
using Innernet.Core.Api;
using Innernet.Core.Fetch;
using Innernet.Core.Live;
using Innernet.Core.Model;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;

namespace Innernet.Client.Tests.Live;

/// <summary>
/// <c>up --daemon</c> for one network against a scripted server (<see cref="HostileServer"/> with
/// <see cref="StreamScript"/>): the stream's messages in order, resume, resync on a gap or a refused difference,
/// backoff, and polling against a server without the stream.
/// </summary>
public sealed class LiveSessionTests
{
    private const string Iface = HostileServer.NetworkName;

    private static readonly string FixtureDirectory = Path.GetDirectoryName(InnernetFixtures.Api("user-state.json"))!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed class Client : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        private Task? _run;

        public Client(HostileServer server, TimeSpan? interval = null, TimeProvider? time = null)
        {
            Server = server;
            server.Config.Save(Files.ConfigFile(Iface));
            var answer = server.Answer();
            server.State = context => HostileServer.Json(context, answer);
            server.Capabilities = context => Body(context, """{"unspecified_ip_in_override_endpoint":true,"state_stream":1}""");
            Script = new StreamScript(server);
            Session = new LiveSession(
                new SynchronizedInterfaceLayer(Layer),
                Log,
                config => new InnernetApiClient(
                    config.Server.InternalEndpoint,
                    config.Server.PublicKey,
                    new InnernetApiClientOptions { LocalAddress = config.Interface.Address.Address, Timeout = TimeSpan.FromSeconds(5) }),
                time: time,
                delay: RecordDelayAsync,
                resolve: static e => e.TryGetIPEndPoint(),
                random: new Random(7))
            {
                Interval = interval ?? TimeSpan.FromSeconds(60),
                FlushDelay = TimeSpan.FromMilliseconds(20),
            };
        }

        public HostileServer Server { get; }

        public ClientFiles Files { get; } = new();

        public FakeInterfaceLayer Layer { get; } = new();

        public ConcurrentLog Log { get; } = new();

        public StreamScript Script { get; }

        public LiveSession Session { get; }

        public ConcurrentQueue<TimeSpan> Delays { get; } = new();

        public IReadOnlySet<Netlink.WireGuard.WireGuardKey> DeviceKeys => Layer.Fake.PeerKeys(Iface);

        public string StatusPath => LiveStatusFile.PathFor(Files.DataDirectory, Iface);

        public void Start() => _run = Session.RunAsync(LiveClient.Request(Iface, Files, natTraversal: false), _stop.Token);

        /// <summary>The session's run, once started.</summary>
        public Task? RunTask => _run;

        /// <summary>The test has observed the run's end itself: disposing does not await it again.</summary>
        public void Forget() => _run = null;

        /// <summary>Waits for <paramref name="condition"/>, failing at once when the session died.</summary>
        public Task UntilAsync(Func<bool> condition, string what) => Eventually.TrueAsync(
            () => _run is { IsFaulted: true } ? throw _run.Exception! : condition(), what);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            if (_run is not null)
            {
                await _run;
            }

            _stop.Dispose();
            Files.Dispose();
        }

        private async Task RecordDelayAsync(TimeSpan span, CancellationToken cancellationToken)
        {
            Delays.Enqueue(span);
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>A thread-safe <see cref="IClientLog"/> (the session logs from background work too).</summary>
    private sealed class ConcurrentLog : IClientLog
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public IEnumerable<string> Lines => _lines;

        public void Info(string message) => _lines.Enqueue("[*] " + message);

        public void Warning(string message) => _lines.Enqueue("[!] " + message);

        public void Debug(string message) => _lines.Enqueue("[D] " + message);
    }

    /// <summary>The session waited exactly these reconnect waits, each within its jitter (half its bound to the bound).</summary>
    private static void AssertReconnectWaits(Client client, double[] boundsSeconds)
    {
        var delays = client.Delays.Select(d => d.TotalSeconds).ToArray();
        Assert.Equal(boundsSeconds.Length, delays.Length);
        for (int i = 0; i < boundsSeconds.Length; i++)
        {
            Assert.InRange(delays[i], boundsSeconds[i] / 2, boundsSeconds[i]);
        }
    }

    private static Task Body(HttpContext context, string json)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(json, context.RequestAborted);
    }

    [Fact]
    public async Task RunAsync_AppliesMessagesInOrder_AndResumesFromItsVersionAfterTheServerEndsTheStream()
    {
        await using var server = await HostileServer.StartAsync();
        await using var client = new Client(server);
        var bob = HostileServer.MakePeer(3, "bob", "127.44.1.3");
        var carol = HostileServer.MakePeer(4, "carol", "127.44.1.4");
        var first = client.Script.NextConnection();
        first.TryWrite(StreamScript.Line(StreamScript.Full("v1", server.Answer(bob))));
        first.TryWrite(StreamScript.Line(StreamScript.Diff("v1", "v2", [carol])));

        client.Start();
        await client.UntilAsync(() => client.DeviceKeys.Contains(carol.PublicKey), "carol on the device");
        Assert.Contains(bob.PublicKey, client.DeviceKeys);
        Assert.Equal(LiveMode.Live, LiveStatusFile.ReadRunning(client.StatusPath)?.Mode);

        // The server restarts: the stream ends; the client comes back with since=v2 and gets the next difference.
        var second = client.Script.NextConnection();
        second.TryWrite(StreamScript.Line(StreamScript.Diff("v2", "v3", removed: [bob.Id])));
        first.Complete();
        await client.UntilAsync(() => !client.DeviceKeys.Contains(bob.PublicKey), "bob removed from the device");

        Assert.Equal([null, "v2"], server.StreamRequests);
        Assert.Equal(1, client.Session.FullViewsApplied);
        Assert.Equal(2, client.Session.DifferencesApplied);
        Assert.Contains(carol.PublicKey, client.DeviceKeys);
        Assert.Equal("v3", client.Session.View!.Version);
        await client.UntilAsync(() => File.ReadAllText(client.Files.HostsPath).Contains("carol.hostile.wg", StringComparison.Ordinal)
            && !File.ReadAllText(client.Files.HostsPath).Contains("bob.hostile.wg", StringComparison.Ordinal), "the hosts file written");
        second.Complete();
    }

    [Fact]
    public async Task RunAsync_DifferenceAfterAGap_ReconnectsWithoutSince_ForAFullView()
    {
        await using var server = await HostileServer.StartAsync();
        await using var client = new Client(server);
        var bob = HostileServer.MakePeer(3, "bob", "127.44.1.3");
        var carol = HostileServer.MakePeer(4, "carol", "127.44.1.4");
        var first = client.Script.NextConnection();
        first.TryWrite(StreamScript.Line(StreamScript.Full("v1", server.Answer())));
        first.TryWrite(StreamScript.Line(StreamScript.Diff("v5", "v6", [bob])));
        var second = client.Script.NextConnection();
        second.TryWrite(StreamScript.Line(StreamScript.Full("v7", server.Answer(carol))));

        client.Start();
        await client.UntilAsync(() => client.Session.FullViewsApplied == 2, "the resync's full view");

        Assert.Equal([null, null], server.StreamRequests);
        Assert.Contains(carol.PublicKey, client.DeviceKeys);
        Assert.DoesNotContain(bob.PublicKey, client.DeviceKeys);
        Assert.DoesNotContain(client.Layer.Fake.Updates, u => u.Config.Peers.Any(p => p.PublicKey == bob.PublicKey));
        Assert.Contains(client.Log.Lines, l => l.Contains("skipped from version v1 to a difference since v5", StringComparison.Ordinal));
        first.Complete();
        second.Complete();
    }

    [Fact]
    public async Task RunAsync_PinViolationInADifference_AppliesNothing_LogsAnError_AndResyncs()
    {
        await using var server = await HostileServer.StartAsync();
        await using var client = new Client(server);
        var bob = HostileServer.MakePeer(3, "bob", "127.44.1.3");
        var impostor = HostileServer.MakePeer(9, "impostor", "127.44.1.3");
        var carol = HostileServer.MakePeer(4, "carol", "127.44.1.4");
        var first = client.Script.NextConnection();
        first.TryWrite(StreamScript.Line(StreamScript.Full("v1", server.Answer(bob))));
        first.TryWrite(StreamScript.Line(StreamScript.Diff("v1", "v2", [carol, impostor], [bob.Id])));
        var second = client.Script.NextConnection();
        second.TryWrite(StreamScript.Line(StreamScript.Full("v3", server.Answer(bob))));

        client.Start();
        await client.UntilAsync(() => client.Session.FullViewsApplied == 2, "the resync's full view");

        Assert.Equal([null, null], server.StreamRequests);
        Assert.Contains(client.Log.Lines, l => l.StartsWith("[!] ERROR: state stream: PINNING ERROR", StringComparison.Ordinal));
        Assert.DoesNotContain(client.Layer.Fake.Updates,
            u => u.Config.Peers.Any(p => p.PublicKey == impostor.PublicKey || p.PublicKey == carol.PublicKey));
        Assert.Contains(bob.PublicKey, client.DeviceKeys);
        Assert.Equal(0, client.Session.DifferencesApplied);
        first.Complete();
        second.Complete();
    }

    [Fact]
    public async Task RunAsync_StreamThatKeepsFailing_BacksOffExponentiallyWithJitter_UpTo60Seconds()
    {
        await using var server = await HostileServer.StartAsync();
        await using var client = new Client(server);

        // No scripted connection: every stream request is answered 503.
        client.Start();
        await client.UntilAsync(() => client.Delays.Count >= 9, "nine reconnect waits");

        double[] bounds = [1, 2, 4, 8, 16, 32, 60, 60, 60];
        var delays = client.Delays.Take(bounds.Length).Select(d => d.TotalSeconds).ToArray();
        for (int i = 0; i < bounds.Length; i++)
        {
            Assert.InRange(delays[i], bounds[i] / 2, bounds[i]);
        }

        Assert.True(delays.Distinct().Count() > 3, $"jittered, not fixed: {string.Join(", ", delays)}");
        Assert.Equal(LiveMode.Connecting, LiveStatusFile.ReadRunning(client.StatusPath)?.Mode);
    }

    [Fact]
    public async Task RunAsync_AfterAStreamHeldHealthyAfter_TheBackoffStartsAgainFrom1Second_AndAShortOneDoesNotReset()
    {
        await using var server = await HostileServer.StartAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var client = new Client(server, time: time);

        // The server fails for a while (503): the waits grow towards 60 s.
        client.Start();
        await client.UntilAsync(() => client.Delays.Count >= 6, "six reconnect waits");
        var first = client.Script.NextConnection();
        first.TryWrite(StreamScript.Line(StreamScript.Full("v1", server.Answer())));
        await client.UntilAsync(() => client.Session.FullViewsApplied == 1, "the full view");
        int before = client.Delays.Count;
        Assert.True(client.Delays.Last() >= TimeSpan.FromSeconds(16), $"grown: {client.Delays.Last()}");

        // Held for HealthyAfter (on the session's clock), then the server ends it: the next wait is at most 1 s again.
        time.Advance(client.Session.HealthyAfter);
        var second = client.Script.NextConnection();
        second.TryWrite(StreamScript.Line(StreamScript.Diff("v1", "v2")));
        first.Complete();
        await client.UntilAsync(() => client.Session.DifferencesApplied == 1, "the resumed stream");
        Assert.Equal(before + 1, client.Delays.Count);
        Assert.InRange(client.Delays.Last(), ReconnectBackoff.Initial / 2, ReconnectBackoff.Initial);

        // A stream that ends at once (no time passes) is no proof of health: the wait grows on from there.
        var third = client.Script.NextConnection();
        third.TryWrite(StreamScript.Line(StreamScript.Diff("v2", "v3")));
        second.Complete();
        await client.UntilAsync(() => client.Session.DifferencesApplied == 2, "the third stream");
        Assert.Equal(before + 2, client.Delays.Count);
        Assert.InRange(client.Delays.Last(), ReconnectBackoff.Initial, ReconnectBackoff.Initial * 2);
        Assert.Equal([null, "v1", "v2"], server.StreamRequests.TakeLast(3));
        third.Complete();
    }

    [Fact]
    public async Task RunAsync_CapabilitiesFailing_AsksAgainAfterTheReconnectWait_NotAPollInterval_ThenGoesLive()
    {
        await using var server = await HostileServer.StartAsync();
        await using var client = new Client(server);
        int asked = 0;
        server.Capabilities = context =>
        {
            // A server busy restarting (or a proxy in front of it): three 503s, then the answer.
            if (Interlocked.Increment(ref asked) <= 3)
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return Task.CompletedTask;
            }

            return Body(context, """{"state_stream":1}""");
        };
        var first = client.Script.NextConnection();
        first.TryWrite(StreamScript.Line(StreamScript.Full("v1", server.Answer())));

        client.Start();
        await client.UntilAsync(() => client.Session.FullViewsApplied == 1, "the stream after the capabilities came back");

        // Three reconnect waits (bounds 1, 2, 4 s), no poll interval, no state fetch besides the first.
        AssertReconnectWaits(client, [1, 2, 4]);

        Assert.Equal(1, server.StateRequests);
        Assert.Equal(LiveMode.Live, LiveStatusFile.ReadRunning(client.StatusPath)?.Mode);
        first.Complete();
    }

    [Fact]
    public async Task RunAsync_ServerUnreachableAtTheFirstFetchWithoutACache_AsksAgainAfterTheReconnectWait_ThenGoesLive()
    {
        await using var server = await HostileServer.StartAsync();
        await using var client = new Client(server);
        var answer = server.Answer();
        int asked = 0;
        server.State = context =>
        {
            // The tunnel not up yet: three requests die unanswered, then the server answers.
            if (Interlocked.Increment(ref asked) <= 3)
            {
                context.Abort();
                return Task.CompletedTask;
            }

            return HostileServer.Json(context, answer);
        };
        var first = client.Script.NextConnection();
        first.TryWrite(StreamScript.Line(StreamScript.Full("v1", answer)));

        client.Start();
        await client.UntilAsync(() => client.Session.FullViewsApplied == 1, "the stream once the server answered");

        AssertReconnectWaits(client, [1, 2, 4]);

        Assert.Equal(4, server.StateRequests);
        Assert.Equal(3, client.Log.Lines.Count(l => l.StartsWith("[!] ", StringComparison.Ordinal) && l.Contains("no cached peers")));
        Assert.Equal(LiveMode.Live, LiveStatusFile.ReadRunning(client.StatusPath)?.Mode);
        first.Complete();
    }

    [Fact]
    public async Task RunAsync_FirstFetchRefused_IsFatal()
    {
        await using var server = await HostileServer.StartAsync();
        await using var client = new Client(server);
        server.State = context =>
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Task.CompletedTask;
        };

        client.Start();
        await Assert.ThrowsAsync<ApiStatusException>(() => client.RunTask!);
        client.Forget();

        Assert.Empty(client.Delays);
        Assert.Equal(1, server.StateRequests);
    }

    [Fact]
    public async Task RunAsync_AgainstInnernet171WithoutTheStream_PollsEveryInterval()
    {
        await using var server = await HostileServer.StartAsync();
        await using var client = new Client(server);
        byte[] recorded = File.ReadAllBytes(Path.Combine(FixtureDirectory, "user-capabilities.json"));
        server.Capabilities = async context =>
        {
            context.Response.ContentType = "application/json";
            await context.Response.Body.WriteAsync(recorded, context.RequestAborted);
        };

        client.Start();
        await client.UntilAsync(() => server.StateRequests >= 3, "three state fetches");

        Assert.Empty(server.StreamRequests);
        Assert.All(client.Delays, d => Assert.Equal(TimeSpan.FromSeconds(60), d));
        var status = LiveStatusFile.ReadRunning(client.StatusPath);
        Assert.Equal(LiveMode.Polling, status?.Mode);
        Assert.Equal(Environment.ProcessId, status?.Pid);
        Assert.Null(status?.Version);
    }

    [Fact]
    public async Task RunAsync_WhenStopped_DeletesTheStatusFile()
    {
        await using var server = await HostileServer.StartAsync();
        var client = new Client(server);
        var first = client.Script.NextConnection();
        first.TryWrite(StreamScript.Line(StreamScript.Full("v1", server.Answer())));
        client.Start();
        string path = client.StatusPath;
        await client.UntilAsync(() => LiveStatusFile.ReadRunning(path)?.Version == "v1", "the status of the full view");
        var status = LiveStatusFile.ReadRunning(path);
        Assert.Equal(LiveMode.Live, status?.Mode);
        Assert.Equal("v1", status?.Version);

        await client.DisposeAsync();

        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task RunAsync_WhileLive_ReChecksTheDeviceEveryInterval_SoDriftHeals()
    {
        await using var server = await HostileServer.StartAsync();
        await using var client = new Client(server, interval: TimeSpan.FromMilliseconds(200));
        var bob = HostileServer.MakePeer(3, "bob", "127.44.1.3");
        var first = client.Script.NextConnection();
        first.TryWrite(StreamScript.Line(StreamScript.Full("v1", server.Answer(bob))));
        client.Start();
        await client.UntilAsync(() => client.DeviceKeys.Contains(bob.PublicKey), "bob on the device");

        // Someone removes bob behind the daemon's back (wg set … remove); no message arrives.
        client.Layer.Fake.ChangeBehindTheBack(Iface, new Netlink.WireGuard.DeviceConfig
        {
            Peers = { new Netlink.WireGuard.PeerConfig { PublicKey = bob.PublicKey, Remove = true } },
        });
        Assert.DoesNotContain(bob.PublicKey, client.DeviceKeys);

        await client.UntilAsync(() => client.DeviceKeys.Contains(bob.PublicKey), "the re-check to put bob back");
        Assert.Contains(client.Log.Lines, l => l.Contains("the device drifted from the held view; re-applying 1 peers",
            StringComparison.Ordinal));
        Assert.Equal(1, client.Session.StreamsOpened);
        first.Complete();
    }
}
