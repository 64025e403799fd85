using Innernet.Client.Tests.Fakes;
using Innernet.Core;
using Innernet.Core.Client;
using Innernet.Core.Config;
using Innernet.Core.Fetch;
using Innernet.Core.Keys;
using Innernet.Core.Model;

namespace Innernet.Client.Tests.Fetch;

public sealed class InterfaceFetcherTests
{
    private const string Iface = InProcessServer.NetworkName;
    private static readonly DateTimeOffset Start = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed class Setup(InProcessServer server, ClientFiles files, FakeInterfaceLayer layer, ManualTime time, RecordingLog log,
        Peer alice, KeyPair aliceKeys, Peer bob, InterfaceConfig config)
    {
        public InProcessServer Server { get; } = server;
        public ClientFiles Files { get; } = files;
        public FakeInterfaceLayer Layer { get; } = layer;
        public ManualTime Time { get; } = time;
        public RecordingLog Log { get; } = log;
        public Peer Alice { get; } = alice;
        public KeyPair AliceKeys { get; } = aliceKeys;
        public Peer Bob { get; } = bob;
        public InterfaceConfig Config { get; } = config;

        public InterfaceFetcher Fetcher() => new(Layer, Log, InProcessServer.ApiFromConfig, Time, Time.Delay,
            static e => e.TryGetIPEndPoint());

        public FetchRequest Request(bool bringUp = true, NatOptions? nat = null, bool writeHosts = true) => new()
        {
            InterfaceName = Iface,
            ConfigDirectory = Files.ConfigDirectory,
            DataDirectory = Files.DataDirectory,
            Hosts = new HostsOptions { Path = Files.HostsPath, Write = writeHosts },
            Nat = nat ?? new NatOptions { NoTraversal = true },
            BringUp = bringUp,
        };
    }

    private static async Task<(Setup Setup, InProcessServer Server, ClientFiles Files)> CreateAsync(
        Func<InterfaceConfig, InterfaceConfig>? adjustConfig = null)
    {
        var server = await InProcessServer.StartAsync();
        var files = new ClientFiles();
        var humans = server.AddCidr("humans", "127.42.1.0/24");
        var (alice, aliceKeys) = server.AddPeer("alice", "127.42.1.2", humans.Id);
        var (bob, _) = server.AddPeer("bob", "127.42.1.3", humans.Id);
        var config = server.ClientConfig(alice.Ip, aliceKeys);
        if (adjustConfig is not null)
        {
            config = adjustConfig(config);
        }

        config.Save(files.ConfigFile(Iface));
        var setup = new Setup(server, files, new FakeInterfaceLayer(), new ManualTime(Start), new RecordingLog(), alice, aliceKeys, bob,
            config);
        return (setup, server, files);
    }

    /// <summary>An address on the server IP where nothing listens.</summary>
    private static IPEndPoint DeadEndpoint()
    {
        using var probe = new System.Net.Sockets.TcpListener(InProcessServer.ServerIp, 0);
        probe.Start();
        var endpoint = (IPEndPoint)probe.LocalEndpoint;
        probe.Stop();
        return endpoint;
    }

    [Fact]
    public async Task Fetch_WithBringUp_AppliesPeersInOneUpdate_WritesHostsAndCache()
    {
        var (s, server, files) = await CreateAsync();
        await using var _ = server;
        using var __ = files;

        var result = await s.Fetcher().FetchAsync(s.Request(), Ct);

        Assert.True(result.ServerReachable);
        Assert.True(result.BroughtUp);
        Assert.Single(s.Layer.BringUps);
        Assert.Equal(2, s.Layer.Fake.Updates.Count); // wg::up's own update, then the whole diff at once
        var device = s.Layer.Fake.GetDevice(Iface)!;
        var bobOnDevice = Assert.Single(device.Peers, p => p.PublicKey == s.Bob.PublicKey);
        Assert.Equal([new IPNetwork(s.Bob.Ip, 32)], bobOnDevice.AllowedIPs);
        Assert.DoesNotContain(device.Peers, p => p.PublicKey == s.Alice.PublicKey);
        Assert.True(result.HostsWritten);
        Assert.Contains("127.42.1.3 bob.testnet.wg", File.ReadAllText(s.Files.HostsPath), StringComparison.Ordinal);
        var cache = DataStore.Open(s.Files.DataFile(Iface));
        Assert.Equal(["alice", "bob", "innernet-server"], cache.Peers.Select(p => p.Name).Order());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(s.Files.DataFile(Iface)));
    }

    [Fact]
    public async Task Fetch_SecondTimeWithoutChanges_AppliesNothing_AndLeavesHostsAlone()
    {
        var (s, server, files) = await CreateAsync();
        await using var _ = server;
        using var __ = files;
        await s.Fetcher().FetchAsync(s.Request(), Ct);
        int updates = s.Layer.Fake.Updates.Count;
        File.WriteAllText(s.Files.HostsPath, "sentinel\n");

        var result = await s.Fetcher().FetchAsync(s.Request(bringUp: false), Ct);

        Assert.False(result.BroughtUp);
        Assert.False(result.HostsWritten);
        Assert.Equal(updates, s.Layer.Fake.Updates.Count);
        Assert.Equal("sentinel\n", File.ReadAllText(s.Files.HostsPath));
        Assert.Contains("[*] peers are already up to date", s.Log.Lines);
    }

    [Fact]
    public async Task Fetch_PinViolation_AppliesNothing_AndKeepsCache()
    {
        var (s, server, files) = await CreateAsync();
        await using var _ = server;
        using var __ = files;
        await s.Fetcher().FetchAsync(s.Request(), Ct);
        // The cache pins bob's IP to his key. Pin it to another key instead, as if the server now re-keyed that IP.
        string cachePath = s.Files.DataFile(Iface);
        var pinned = DataStore.Open(cachePath);
        var rekeyed = pinned.Peers.Select(p => p.Name == "bob" ? p with { PublicKey = KeyPair.Generate().Public } : p).ToList();
        File.Delete(cachePath);
        DataStore.Open(cachePath).UpdatePeersAndSetCidrs(rekeyed, pinned.Cidrs);
        string cacheBefore = File.ReadAllText(cachePath);
        s.Layer.Fake.DeleteDevice(Iface);
        s.Layer.Fake.CreateDevice(Iface);
        s.Layer.Fake.ConfigureDevice(Iface, new Innernet.Netlink.WireGuard.DeviceConfig { PrivateKey = s.AliceKeys.Private });
        int updates = s.Layer.Fake.Updates.Count;
        File.WriteAllText(s.Files.HostsPath, "sentinel\n");

        await Assert.ThrowsAsync<PinningException>(() => s.Fetcher().FetchAsync(s.Request(bringUp: false), Ct));

        Assert.Equal(updates, s.Layer.Fake.Updates.Count);
        Assert.Empty(s.Layer.Fake.GetDevice(Iface)!.Peers);
        Assert.Equal("sentinel\n", File.ReadAllText(s.Files.HostsPath));
        Assert.Equal(cacheBefore, File.ReadAllText(cachePath));
    }

    [Fact]
    public async Task Fetch_ServerUnreachable_UsesCachedPeers_WithWarning()
    {
        var (s, server, files) = await CreateAsync();
        await using var _ = server;
        using var __ = files;
        await s.Fetcher().FetchAsync(s.Request(), Ct);
        s.Layer.Fake.DeleteDevice(Iface);
        (s.Config with { Server = s.Config.Server with { InternalEndpoint = DeadEndpoint() } }).Save(s.Files.ConfigFile(Iface));

        var result = await s.Fetcher().FetchAsync(s.Request(), Ct);

        Assert.False(result.ServerReachable);
        Assert.Null(result.ReportedCandidates);
        Assert.Contains(s.Layer.Fake.GetDevice(Iface)!.Peers, p => p.PublicKey == s.Bob.PublicKey);
        Assert.Contains(s.Log.Warnings, w => w.Contains("cached peers", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Fetch_ServerUnreachable_WithoutCache_FailsClearly()
    {
        var (s, server, files) = await CreateAsync();
        await using var _ = server;
        using var __ = files;
        (s.Config with { Server = s.Config.Server with { InternalEndpoint = DeadEndpoint() } }).Save(s.Files.ConfigFile(Iface));

        var e = await Assert.ThrowsAsync<InnernetException>(() => s.Fetcher().FetchAsync(s.Request(), Ct));

        Assert.Contains("no cached peers", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(s.Files.DataFile(Iface)));
    }

    [Fact]
    public async Task Fetch_WithoutBringUp_WhenDown_Fails()
    {
        var (s, server, files) = await CreateAsync();
        await using var _ = server;
        using var __ = files;

        var e = await Assert.ThrowsAsync<InnernetException>(() => s.Fetcher().FetchAsync(s.Request(bringUp: false), Ct));

        Assert.Contains("is not up", e.Message, StringComparison.Ordinal);
        Assert.Empty(s.Layer.BringUps);
    }

    [Fact]
    public async Task Fetch_LocalOverride_SetsThatEndpoint_AndSkipsNatForThePeer()
    {
        var overrideEndpoint = Endpoint.Parse("198.51.100.7:51820");
        var (s, server, files) = await CreateAsync(c => c with
        {
            PeerEndpointOverrides = new Dictionary<IPAddress, Endpoint> { [IPAddress.Parse("127.42.1.3")] = overrideEndpoint },
        });
        await using var _ = server;
        using var __ = files;
        server.Store.SetCandidates(s.Bob.Id, [Endpoint.Parse("192.0.2.33:51820")]);

        var result = await s.Fetcher().FetchAsync(s.Request(nat: new NatOptions()), Ct);

        var bob = Assert.Single(s.Layer.Fake.GetDevice(Iface)!.Peers, p => p.PublicKey == s.Bob.PublicKey);
        Assert.Equal(overrideEndpoint.TryGetIPEndPoint(), bob.Endpoint);
        Assert.DoesNotContain(result.NatTraversal?.Attempts ?? [], a => a.PublicKey == s.Bob.PublicKey);
        // The override is local only: the cache keeps the server's value.
        Assert.Null(DataStore.Open(s.Files.DataFile(Iface)).Peers.Single(p => p.Name == "bob").Endpoint);
    }

    [Fact]
    public async Task Fetch_InterfaceAlreadyUp_ReadsTheDeviceOnce()
    {
        // At thousands of peers a device read is a large part of a fetch (the UAPI sends every peer as text).
        var (s, server, files) = await CreateAsync();
        await using var _ = server;
        using var __ = files;
        await s.Fetcher().FetchAsync(s.Request(), Ct);
        int reads = s.Layer.Fake.Reads;

        var result = await s.Fetcher().FetchAsync(s.Request(), Ct);

        Assert.False(result.BroughtUp);
        Assert.NotNull(result.ReportedCandidates);
        Assert.Equal(reads + 1, s.Layer.Fake.Reads);
    }

    [Fact]
    public async Task Fetch_ReportsCandidates_WithDevicePort_HonouringExclusions()
    {
        var (s, server, files) = await CreateAsync();
        await using var _ = server;
        using var __ = files;
        s.Layer.LocalAddresses.AddRange([IPAddress.Parse("192.0.2.10"), IPAddress.Parse("10.1.2.3"), IPAddress.Parse("2001:db8:1::5")]);
        var nat = new NatOptions { NoTraversal = true, ExcludeCandidates = [IPNetwork.Parse("10.0.0.0/8")] };

        var result = await s.Fetcher().FetchAsync(s.Request(nat: nat), Ct);

        ushort port = s.Layer.Fake.GetDevice(Iface)!.ListenPort;
        Endpoint[] expected = [Endpoint.Parse($"192.0.2.10:{port}"), Endpoint.Parse($"[2001:db8:1::5]:{port}")];
        Assert.Equal(expected, result.ReportedCandidates);
        Assert.Equal(expected, server.Store.GetPeer(s.Alice.Id)!.Candidates);
    }

    [Fact]
    public async Task Fetch_CandidateReportRateLimited_WarnsAndStillApplies()
    {
        var (s, server, files) = await CreateAsync();
        await using var _ = server;
        using var __ = files;
        s.Layer.LocalAddresses.Add(IPAddress.Parse("192.0.2.10"));
        var fetcher = s.Fetcher();

        // The real server allows a burst of writes per peer; fetching back to back runs past it within a few rounds.
        FetchResult? limited = null;
        for (int i = 0; i < 40 && limited is null; i++)
        {
            var result = await fetcher.FetchAsync(s.Request(), Ct);
            Assert.Contains(s.Layer.Fake.GetDevice(Iface)!.Peers, p => p.PublicKey == s.Bob.PublicKey);
            if (result.ReportedCandidates is null)
            {
                limited = result;
            }
        }

        Assert.NotNull(limited);
        Assert.Contains(s.Log.Warnings, w => w.Contains("rate-limiting", StringComparison.Ordinal));
        Assert.NotNull(server.Store.GetPeer(s.Alice.Id)!.Candidates);
    }
}
