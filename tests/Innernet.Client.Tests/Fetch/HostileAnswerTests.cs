using System.Globalization;
using System.Diagnostics;
using Innernet.Client.Tests.Fakes;
using Innernet.Core;
using Innernet.Core.Api;
using Innernet.Core.Config;
using Innernet.Core.Fetch;
using Innernet.Core.Interfaces;
using Innernet.Core.Keys;
using Innernet.Core.Model;

namespace Innernet.Client.Tests.Fetch;

/// <summary>
/// <c>fetch</c> against <see cref="HostileServer"/>: every refused answer throws one error naming the peer and the
/// rule, and leaves WireGuard, the hosts file and the peer cache exactly as they were.
/// </summary>
public sealed partial class HostileAnswerTests
{
    private const string Iface = HostileServer.NetworkName;

    /// <summary>The API deadline in these tests: short, so a stalled server ends the test quickly.</summary>
    private static readonly TimeSpan ApiTimeout = TimeSpan.FromSeconds(1);

    /// <summary>The deadline of fetches that only set a test up, and of reading a whole 64 MiB body under load.</summary>
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed class Client(HostileServer server, ClientFiles files) : IDisposable
    {
        public HostileServer Server { get; } = server;
        public ClientFiles Files { get; } = files;
        public FakeInterfaceLayer Layer { get; } = new();
        public RecordingLog Log { get; } = new();
        public ManualTime Time { get; } = new(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));
        public Func<Endpoint, IPEndPoint?> Resolve { get; set; } = static e => e.TryGetIPEndPoint();
        public TimeSpan LookupTimeout { get; set; } = EndpointResolver.DefaultLookupTimeout;
        public TimeSpan ApiDeadline { get; set; } = ApiTimeout;

        /// <summary>The client's last API connection, counting what it read from the socket.</summary>
        public CountingStream? Socket { get; private set; }

        public InterfaceFetcher Fetcher() => new(Layer, Log, Api, Time, Time.Delay, e => Resolve(e)) { LookupTimeout = LookupTimeout };

        public Task<FetchResult> FetchAsync() => Fetcher().FetchAsync(new FetchRequest
        {
            InterfaceName = Iface,
            ConfigDirectory = Files.ConfigDirectory,
            DataDirectory = Files.DataDirectory,
            Hosts = new HostsOptions { Path = Files.HostsPath, Write = true },
            Nat = new NatOptions { NoTraversal = true },
            BringUp = true,
        }, Ct);

        /// <summary>Everything a fetch may change: device updates, device peers, hosts file, cache file.</summary>
        public (int Updates, string Peers, string? Hosts, string? Cache) Snapshot() => (
            Layer.Fake.Updates.Count,
            string.Join(";", (Layer.Fake.GetDevice(Iface)?.Peers ?? [])
                .Select(p => $"{p.PublicKey}={string.Join(",", p.AllowedIPs)}@{p.Endpoint}")
                .Order(StringComparer.Ordinal)),
            File.Exists(Files.HostsPath) ? File.ReadAllText(Files.HostsPath) : null,
            File.Exists(Files.DataFile(Iface)) ? File.ReadAllText(Files.DataFile(Iface)) : null);

        /// <summary>Brings the interface up from the config alone, as <c>up</c> does before its first fetch.</summary>
        public void BringUp()
            => Layer.BringUp(Fetcher().UpRequest(Iface, Server.Config, Server.Config.Interface.PrivateKey, null, new NetworkOptions()));

        public void Dispose() => Files.Dispose();

        private InnernetApiClient Api(InterfaceConfig config) => new(
            config.Server.InternalEndpoint,
            config.Server.PublicKey,
            new InnernetApiClientOptions
            {
                ConnectCallback = async (context, ct) =>
                    Socket = await CountingStream.ConnectAsync(config.Interface.Address.Address, context, ct),
                Timeout = ApiDeadline,
            });
    }

    private static async Task<Client> InstalledAsync(HostileServer server, bool fetchOnce = true)
    {
        var files = new ClientFiles();
        server.Config.Save(files.ConfigFile(Iface));
        var client = new Client(server, files);
        if (fetchOnce)
        {
            // The install's fetch is not under test: on a loaded machine the first answer (JIT, Kestrel warming up) can
            // take longer than the tests' short deadline.
            client.ApiDeadline = InstallTimeout;
            await client.FetchAsync();
            client.ApiDeadline = ApiTimeout;
            Assert.True(File.Exists(files.DataFile(Iface)));
        }
        else
        {
            client.BringUp();
        }

        return client;
    }

    /// <summary>Serves <paramref name="answer"/>, fetches, and checks that the refusal names the rule and changed nothing.</summary>
    private static async Task<ServerAnswerException> AssertRefusedAsync(Client client, State answer, params string[] expected)
    {
        client.Server.State = context => HostileServer.Json(context, answer);
        var before = client.Snapshot();

        var e = await Assert.ThrowsAsync<ServerAnswerException>(client.FetchAsync);

        Assert.Equal(before, client.Snapshot());
        foreach (string part in expected)
        {
            Assert.Contains(part, e.Message, StringComparison.Ordinal);
        }

        Assert.DoesNotContain('\n', e.Message);
        return e;
    }

    public static TheoryData<string, string> BadNames => new()
    {
        { "two words", "contains ' '" },
        { "evil\n127.44.9.9 bank.example.com", "contains '\\u000a'" },
        { "evil#comment", "contains '#'" },
        { "# DO NOT EDIT innernet hostile END", "contains '#'" },
        { "Upper", "contains 'U'" },
        { "", "must not be empty" },
        { "-dash", "must not start or end with '-'" },
        { new string('a', 70), "70 characters long" },
    };

    [Theory]
    [MemberData(nameof(BadNames))]
    public async Task PeerNameThatIsNotAHostname_IsRefused(string name, string rule)
    {
        await using var server = await HostileServer.StartAsync();
        using var client = await InstalledAsync(server);

        await AssertRefusedAsync(client, server.Answer(HostileServer.MakePeer(9, name, "127.44.1.9")), "127.44.1.9", rule);

        Assert.DoesNotContain("127.44.9.9", File.ReadAllText(client.Files.HostsPath), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DuplicateIp_IsRefused()
    {
        await using var server = await HostileServer.StartAsync();
        using var client = await InstalledAsync(server);

        await AssertRefusedAsync(
            client, server.Answer(HostileServer.MakePeer(3, "bob", "127.44.1.3"), HostileServer.MakePeer(4, "mallory", "127.44.1.3")),
            "'mallory' (127.44.1.3)", "IP is also listed for peer 'bob'");
    }

    [Fact]
    public async Task DuplicateKey_IsRefused()
    {
        await using var server = await HostileServer.StartAsync();
        using var client = await InstalledAsync(server);
        var bob = HostileServer.MakePeer(3, "bob", "127.44.1.3");

        await AssertRefusedAsync(
            client, server.Answer(bob, HostileServer.MakePeer(4, "mallory", "127.44.1.4") with { PublicKey = bob.PublicKey }),
            "'mallory' (127.44.1.4)", "public key is also listed for peer 'bob'");
    }

    [Fact]
    public async Task IpOutsideTheNetwork_IsRefused()
    {
        await using var server = await HostileServer.StartAsync();
        using var client = await InstalledAsync(server);

        await AssertRefusedAsync(
            client,
            server.Answer(HostileServer.MakePeer(4, "mallory", "127.45.0.5")),
            "'mallory' (127.45.0.5)",
            "outside the network 127.44.0.0/16");
    }

    [Fact]
    public async Task IpOfTheWrongFamily_IsRefused()
    {
        await using var server = await HostileServer.StartAsync();
        using var client = await InstalledAsync(server);

        await AssertRefusedAsync(
            client, server.Answer(HostileServer.MakePeer(4, "mallory", "fd00::5")), "'mallory' (fd00::5)", "another address family");
    }

    [Fact]
    public async Task ServerIpWithAnotherKey_IsRefused_AlsoOnTheFirstFetchWithAnEmptyCache()
    {
        await using var server = await HostileServer.StartAsync();
        using var client = await InstalledAsync(server, fetchOnce: false);
        var impostor = server.ServerPeer with { PublicKey = KeyPair.Generate().Public };

        await AssertRefusedAsync(
            client, new State([impostor, server.Self], []), "'innernet-server' (127.44.0.1)", "server's IP but not the server key");

        Assert.False(File.Exists(client.Files.DataFile(Iface)));
        Assert.False(File.Exists(client.Files.HostsPath));
        // Only wg::up's own update from the config reached the device: the server as the single peer.
        var only = Assert.Single(client.Layer.Fake.GetDevice(Iface)!.Peers);
        Assert.Equal(server.ServerKeys.Public, only.PublicKey);
    }

    [Fact]
    public async Task ServerKeyOnAnotherIp_IsRefused()
    {
        await using var server = await HostileServer.StartAsync();
        using var client = await InstalledAsync(server);
        var hijack = HostileServer.MakePeer(4, "mallory", "127.44.1.4") with { PublicKey = server.ServerKeys.Public };

        // Without the rule the server's WireGuard peer would get mallory's allowed IP instead of its own.
        await AssertRefusedAsync(client, new State([hijack, server.Self], []), "'mallory' (127.44.1.4)", "server key from the config");
    }

    public static TheoryData<string, string> BadCidrTrees => new()
    {
        { "127.45.0.0/24 under the root", "'lab' (127.45.0.0/24): it is not inside its parent 'hostile' (127.44.0.0/16)" },
        { "127.44.1.128/25 under the root", "'lab' (127.44.1.128/25): it overlaps its sibling 'humans' (127.44.1.0/24)" },
        { "127.44.1.0/24 under the root", "'lab' (127.44.1.0/24): it overlaps its sibling" },
        { "127.44.9.0/24 under 99", "'lab' (127.44.9.0/24): its parent 99 is not in the answer" },
        { "127.44.9.0/24 under none", "'lab' (127.44.9.0/24): it has no parent but is not the network 127.44.0.0/16" },
        { "127.44.1.0/24 under 2", "'lab' (127.44.1.0/24): it is not inside its parent 'humans' (127.44.1.0/24)" },
        { "fd00::/64 under the root", "'lab' (fd00::/64): it is of another address family" },
        { "127.44.9.0/24 as id 2", "'lab' (127.44.9.0/24): its id 2 is also listed for CIDR 'humans'" },
    };

    [Theory]
    [MemberData(nameof(BadCidrTrees))]
    public async Task BadCidrTree_IsRefused(string cidr, string rule)
    {
        await using var server = await HostileServer.StartAsync();
        using var client = await InstalledAsync(server);
        var answer = server.Answer();
        string[] parts = cidr.Split(' ');
        long? parent = parts[2] switch { "the" => 1, "none" => null, "id" => 1,
            var given => long.Parse(given, CultureInfo.InvariantCulture) };
        long id = parts[1] == "as" ? long.Parse(parts[^1], CultureInfo.InvariantCulture) : 3;
        var lab = new Cidr(id, "lab", IPNetwork.Parse(parts[0]), parent);

        await AssertRefusedAsync(client, answer with { Cidrs = [.. answer.Cidrs, lab] }, "CIDR " + rule);
    }

    [Fact]
    public async Task CacheFallback_RevalidatesTheCachedAnswer()
    {
        await using var server = await HostileServer.StartAsync();
        using var client = await InstalledAsync(server);
        // A cache written by an older client, before a rule existed: a name that injects a hosts-file line.
        string cache = File.ReadAllText(client.Files.DataFile(Iface));
        string name = $"\"{server.Self.Name}\"";
        Assert.Contains(name, cache, StringComparison.Ordinal);
        File.WriteAllText(client.Files.DataFile(Iface), cache.Replace(name, "\"evil#comment\"", StringComparison.Ordinal));
        server.State = HostileServer.UntilAbortedAsync; // unreachable: no answer in time
        var before = client.Snapshot();

        var e = await Assert.ThrowsAsync<ServerAnswerException>(client.FetchAsync);

        Assert.Equal(before, client.Snapshot());
        Assert.Contains("cached", e.Message, StringComparison.Ordinal);
        Assert.Contains("'evil#comment'", e.Message, StringComparison.Ordinal);
        Assert.Contains("contains '#'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EndlessBody_IsCutAtTheCap_AndRefused()
    {
        await using var server = await HostileServer.StartAsync();
        using var client = await InstalledAsync(server);
        // Reading 64 MiB on a loaded machine can take longer than the other tests' deadline; the cap must cut it, not the clock.
        client.ApiDeadline = InstallTimeout;
        server.State = async context =>
        {
            context.Response.ContentType = "application/json";
            byte[] chunk = new byte[64 * 1024];
            Array.Fill(chunk, (byte)' ');
            while (!context.RequestAborted.IsCancellationRequested)
            {
                await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
            }
        };
        var before = client.Snapshot();

        var e = await Assert.ThrowsAsync<ServerAnswerException>(client.FetchAsync);

        Assert.Contains("larger than 64 MiB", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, client.Snapshot());
        Assert.Equal(2, server.StateRequests); // the install's fetch and this one: no retry
        // Counted on the client's socket, not by the server: once the client closes, Kestrel's writes to the dead
        // connection complete without sending anything until RequestAborted fires, so a count in the handler ran on for
        // hundreds of MB under load. The socket read the cap, plus framing and the HTTP read-ahead buffer, and no more.
        const long slack = 1 << 20;
        Assert.InRange(client.Socket!.BytesRead, InnernetApiClient.MaxResponseBytes, InnernetApiClient.MaxResponseBytes + slack);
    }

    [Fact]
    public async Task DeclaredLengthAboveTheCap_IsRefusedBeforeReading()
    {
        await using var server = await HostileServer.StartAsync();
        using var client = await InstalledAsync(server);
        server.State = async context =>
        {
            context.Response.ContentLength = InnernetApiClient.MaxResponseBytes + 1;
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await HostileServer.UntilAbortedAsync(context);
        };
        var before = client.Snapshot();
        var clock = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<ServerAnswerException>(client.FetchAsync);

        Assert.True(clock.Elapsed < ApiTimeout, $"refused after {clock.Elapsed}, not at once");
        Assert.Contains("larger than 64 MiB", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, client.Snapshot());
    }

    [Fact]
    public async Task StalledBody_EndsAtTheDeadline_AndAppliesNothing()
    {
        await using var server = await HostileServer.StartAsync();
        using var client = await InstalledAsync(server, fetchOnce: false);
        server.State = async context =>
        {
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = 4096;
            await context.Response.Body.WriteAsync("{\"peers\":["u8.ToArray(), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await HostileServer.UntilAbortedAsync(context);
        };
        var before = client.Snapshot();

        var e = await Assert.ThrowsAsync<InnernetException>(client.FetchAsync).WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.Contains($"no complete answer within {ApiTimeout.TotalSeconds:0} s", e.Message, StringComparison.Ordinal);
        Assert.Contains("no cached peers", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, client.Snapshot());
    }

    [Fact]
    public async Task StalledBody_WithACache_FallsBackToTheCachedPeers()
    {
        await using var server = await HostileServer.StartAsync();
        using var client = await InstalledAsync(server);
        server.State = async context =>
        {
            context.Response.ContentLength = 4096;
            await context.Response.Body.WriteAsync("{"u8.ToArray(), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await HostileServer.UntilAbortedAsync(context);
        };
        var before = client.Snapshot();

        var result = await client.FetchAsync().WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.False(result.ServerReachable);
        Assert.Contains(client.Log.Warnings, w => w.Contains("no complete answer", StringComparison.Ordinal));
        Assert.Equal(before, client.Snapshot());
    }

    [Fact]
    public async Task StalledHeaders_EndAtTheDeadline()
    {
        await using var server = await HostileServer.StartAsync();
        using var client = await InstalledAsync(server, fetchOnce: false);
        server.State = HostileServer.UntilAbortedAsync;

        var e = await Assert.ThrowsAsync<InnernetException>(client.FetchAsync).WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.Contains("no complete answer within", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(client.Files.DataFile(Iface)));
    }

    [Fact]
    public async Task HangingDnsLookup_IsAbandonedAtItsDeadline_TheRestIsApplied()
    {
        await using var server = await HostileServer.StartAsync();
        using var client = await InstalledAsync(server, fetchOnce: false);
        using var never = new ManualResetEventSlim();
        client.LookupTimeout = TimeSpan.FromMilliseconds(200);
        client.Resolve = e => e.IsDnsName && never.Wait(Timeout.Infinite, CancellationToken.None) ? null : e.TryGetIPEndPoint();
        var bob = HostileServer.MakePeer(3, "bob", "127.44.1.3") with { Endpoint = Endpoint.Parse("slow.invalid:51820") };
        var carol = HostileServer.MakePeer(4, "carol", "127.44.1.4") with { Endpoint = Endpoint.Parse("127.0.0.4:51820") };
        server.State = context => HostileServer.Json(context, server.Answer(bob, carol));

        try
        {
            await client.FetchAsync().WaitAsync(TimeSpan.FromSeconds(30), Ct);
        }
        finally
        {
            never.Set();
        }

        var device = client.Layer.Fake.GetDevice(Iface)!;
        Assert.Null(Assert.Single(device.Peers, p => p.PublicKey == bob.PublicKey).Endpoint);
        Assert.Equal(IPEndPoint.Parse("127.0.0.4:51820"), Assert.Single(device.Peers, p => p.PublicKey == carol.PublicKey).Endpoint);
        Assert.Contains(client.Log.Warnings, w => w.Contains("resolving 'slow.invalid' took longer than 0.2 s", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DnsLookupsPerFetch_AreBounded()
    {
        await using var server = await HostileServer.StartAsync();
        using var client = await InstalledAsync(server, fetchOnce: false);
        var asked = new System.Collections.Concurrent.ConcurrentBag<string>();
        client.Resolve = e =>
        {
            if (e.IsDnsName)
            {
                asked.Add(e.Host);
                return new IPEndPoint(IPAddress.Parse("127.0.0.9"), e.Port);
            }

            return e.TryGetIPEndPoint();
        };
        // 80 peers with an endpoint name and a candidate name each, one name shared by all: 161 distinct names.
        var peers = Enumerable.Range(0, 80).Select(i => HostileServer.MakePeer(10 + i, $"p{i}", $"127.44.2.{i + 1}") with
        {
            Endpoint = Endpoint.Parse($"e{i}.example.invalid:51820"),
            Candidates = [Endpoint.Parse($"c{i}.example.invalid:51820"), Endpoint.Parse("shared.example.invalid:51820")],
        }).ToArray();
        server.State = context => HostileServer.Json(context, server.Answer(peers));

        await client.FetchAsync();

        Assert.Equal(EndpointResolver.MaxLookupsPerFetch, asked.Count);
        Assert.Equal(asked.Count, asked.Distinct().Count());
        string bound = $"more than {EndpointResolver.MaxLookupsPerFetch} DNS hosts";
        Assert.Contains(client.Log.Warnings, w => w.Contains(bound, StringComparison.Ordinal));
        // Names are taken in answer order (e0, c0, shared, e1, c1, ...): the 64 cover the endpoints e0 to e31.
        var resolvedPeers = client.Layer.Fake.GetDevice(Iface)!.Peers
            .Where(p => p.PublicKey != server.ServerKeys.Public && p.Endpoint is not null);
        Assert.Equal(peers.Take(32).Select(p => p.PublicKey).ToHashSet(), resolvedPeers.Select(p => p.PublicKey).ToHashSet());
    }

    [Fact]
    public async Task HonestAnswer_IsApplied()
    {
        await using var server = await HostileServer.StartAsync();
        using var client = await InstalledAsync(server, fetchOnce: false);

        var result = await client.FetchAsync();

        Assert.True(result.ServerReachable);
        Assert.Contains("127.44.1.3 bob.hostile.wg", File.ReadAllText(client.Files.HostsPath), StringComparison.Ordinal);
        Assert.Equal(1, server.StateRequests);
    }
}
