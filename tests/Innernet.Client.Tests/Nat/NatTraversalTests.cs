using Innernet.Client.Tests.Fakes;
using Innernet.Core.Keys;
using Innernet.Core.Model;
using Innernet.Core.Nat;
using Innernet.Netlink.WireGuard;

namespace Innernet.Client.Tests.Nat;

public sealed class NatTraversalTests
{
    private const string Iface = "wgtest";
    private static readonly DateTimeOffset Start = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly Endpoint ServerReported = Endpoint.Parse("203.0.113.1:51820");
    private static readonly Endpoint C1 = Endpoint.Parse("198.51.100.1:1001");
    private static readonly Endpoint C2 = Endpoint.Parse("198.51.100.2:1002");
    private static readonly Endpoint C3 = Endpoint.Parse("[2001:db8::3]:1003");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Peer MakePeer(string name, string ip, Endpoint? endpoint, params Endpoint[] candidates) => new()
    {
        Id = 10,
        Name = name,
        Ip = IPAddress.Parse(ip),
        CidrId = 3,
        PublicKey = KeyPair.Generate().Public,
        Endpoint = endpoint,
        PersistentKeepaliveInterval = 25,
        IsRedeemed = true,
        Candidates = candidates,
    };

    private static InMemoryWireGuard DeviceWith(params Peer[] peers)
    {
        var wg = new InMemoryWireGuard();
        wg.CreateDevice(Iface);
        var config = new DeviceConfig { PrivateKey = KeyPair.Generate().Private };
        foreach (var peer in peers)
        {
            config.Peers.Add(new PeerConfig { PublicKey = peer.PublicKey, AllowedIPs = { new IPNetwork(peer.Ip, 32) } });
        }

        wg.ConfigureDevice(Iface, config);
        wg.ClearUpdates();
        return wg;
    }

    [Fact]
    public void CandidateList_PutsEndpointFirst_WithoutDuplicate_CappedAtTen()
    {
        var many = Enumerable.Range(1, 12).Select(i => Endpoint.Parse($"192.0.2.{i}:51820")).ToArray();
        var peer = MakePeer("p", "10.0.0.2", many[3], many);

        var list = NatTraversal.CandidateList(peer);

        Assert.Equal([many[3], .. many.Take(10).Where(e => e != many[3])], list);
    }

    [Fact]
    public async Task Run_TriesCandidatesFromTheEnd_ServerEndpointLast_OneStepEach()
    {
        var peer = MakePeer("p", "10.0.0.2", ServerReported, C1, ServerReported, C2, C3);
        var wg = DeviceWith(peer);
        var time = new ManualTime(Start);
        var nat = new NatTraversal(new WireGuardNatDevice(wg, Iface), time, time.Delay);

        var result = await nat.RunAsync([peer], new HashSet<IPAddress>(), Start, cancellationToken: Ct);

        Assert.Equal([C3, C2, C1, ServerReported], result.Attempts.Select(a => Endpoint.FromIPEndPoint(a.Endpoint)));
        Assert.Equal(4, result.Steps);
        Assert.Empty(result.Connected);
        // Each step is one device update; what stays configured is the server-reported endpoint.
        Assert.Equal(4, wg.Updates.Count);
        Assert.Equal(ServerReported.TryGetIPEndPoint(), wg.GetDevice(Iface)!.Peers.Single().Endpoint);
        // The first wait counts from the interface update; then 5 s per step of 100 ms polls (the last step ends at once: out of
        // candidates).
        Assert.Equal(NatTraversal.StepInterval, time.Delays[0]);
        var steps = result.Attempts.Select(a => a.At).ToList();
        Assert.All(steps.Zip(steps.Skip(1)), pair => Assert.Equal(NatTraversal.StepInterval, pair.Second - pair.First));
        Assert.All(time.Delays.Skip(1), d => Assert.Equal(NatTraversal.PollInterval, d));
    }

    [Fact]
    public async Task Run_InitialWait_IsReducedByTimeSinceInterfaceUpdate()
    {
        var peer = MakePeer("p", "10.0.0.2", null, C1);
        var wg = DeviceWith(peer);
        var time = new ManualTime(Start);
        var nat = new NatTraversal(new WireGuardNatDevice(wg, Iface), time, time.Delay);

        await nat.RunAsync([peer], new HashSet<IPAddress>(), Start - TimeSpan.FromSeconds(2), cancellationToken: Ct);

        Assert.Equal(NatTraversal.StepInterval - TimeSpan.FromSeconds(2), time.Delays[0]);
    }

    [Fact]
    public async Task Run_StopsForAPeer_OnceItHandshakes()
    {
        var peer = MakePeer("p", "10.0.0.2", ServerReported, C1, C2, C3);
        var wg = DeviceWith(peer);
        var time = new ManualTime(Start);
        wg.AfterUpdate = (name, config) =>
        {
            if (config.Peers.Any(p => p.Endpoint is { } e && Endpoint.FromIPEndPoint(e) == C2))
            {
                wg.SetHandshake(name, peer.PublicKey, time.GetUtcNow());
            }
        };
        var nat = new NatTraversal(new WireGuardNatDevice(wg, Iface), time, time.Delay);

        var result = await nat.RunAsync([peer], new HashSet<IPAddress>(), Start, cancellationToken: Ct);

        Assert.Equal([C3, C2], result.Attempts.Select(a => Endpoint.FromIPEndPoint(a.Endpoint)));
        Assert.Equal([peer.PublicKey], result.Connected);
    }

    [Fact]
    public async Task Run_SkipsOverriddenAndRecentlyConnectedPeers()
    {
        var overridden = MakePeer("o", "10.0.0.2", ServerReported, C1);
        var connected = MakePeer("c", "10.0.0.3", ServerReported, C2);
        var wg = DeviceWith(overridden, connected);
        var time = new ManualTime(Start);
        wg.SetHandshake(Iface, connected.PublicKey, Start - TimeSpan.FromSeconds(179));
        var nat = new NatTraversal(new WireGuardNatDevice(wg, Iface), time, time.Delay);

        var result = await nat.RunAsync([overridden, connected], new HashSet<IPAddress> { overridden.Ip }, Start, cancellationToken: Ct);

        Assert.Empty(result.Attempts);
        Assert.Empty(wg.Updates);
        Assert.Empty(time.Delays);
    }

    [Fact]
    public async Task Run_TwoPeers_ShareEachStepUpdate()
    {
        var a = MakePeer("a", "10.0.0.2", ServerReported, C1);
        var b = MakePeer("b", "10.0.0.3", null, C2, C3);
        var wg = DeviceWith(a, b);
        var time = new ManualTime(Start);
        var nat = new NatTraversal(new WireGuardNatDevice(wg, Iface), time, time.Delay);

        var result = await nat.RunAsync([a, b], new HashSet<IPAddress>(), Start, cancellationToken: Ct);

        Assert.Equal(2, wg.Updates.Count);
        Assert.Equal(2, wg.Updates[0].Config.Peers.Count);
        Assert.All(wg.Updates.SelectMany(u => u.Config.Peers), p => Assert.True(p.UpdateOnly));
        Assert.Equal(4, result.Attempts.Count);
    }

    [Fact]
    public async Task Run_CandidateTheDeviceAlreadyHas_IsTriedWithoutBeingSetAgain()
    {
        var peer = MakePeer("p", "10.0.0.2", ServerReported, C1, C2);
        var other = MakePeer("q", "10.0.0.3", ServerReported, C3);
        var wg = DeviceWith(peer, other);
        wg.ConfigureDevice(Iface, new DeviceConfig
        {
            Peers =
            {
                new PeerConfig { PublicKey = peer.PublicKey, UpdateOnly = true, Endpoint = C2.TryGetIPEndPoint() },
                new PeerConfig { PublicKey = other.PublicKey, UpdateOnly = true, Endpoint = ServerReported.TryGetIPEndPoint() },
            },
        });
        wg.ClearUpdates();
        var time = new ManualTime(Start);
        var nat = new NatTraversal(new WireGuardNatDevice(wg, Iface), time, time.Delay);

        var result = await nat.RunAsync([peer, other], new HashSet<IPAddress>(), Start, cancellationToken: Ct);

        // Still one candidate per step, in the same order, but the device is only told what changes: nothing for the
        // candidate it already has.
        Assert.Equal(
            [C2, C3, C1, ServerReported, ServerReported], result.Attempts.Select(a => Endpoint.FromIPEndPoint(a.Endpoint)));
        Assert.Equal(3, result.Steps);
        Assert.Equal(3, wg.Updates.Count);
        Assert.Equal([(other.PublicKey, C3.TryGetIPEndPoint())], Sent(wg.Updates[0].Config));
        Assert.Equal(
            [(peer.PublicKey, C1.TryGetIPEndPoint()), (other.PublicKey, ServerReported.TryGetIPEndPoint())], Sent(wg.Updates[1].Config));
        Assert.Equal([(peer.PublicKey, ServerReported.TryGetIPEndPoint())], Sent(wg.Updates[2].Config));
        Assert.Equal(
            [ServerReported.TryGetIPEndPoint(), ServerReported.TryGetIPEndPoint()],
            wg.GetDevice(Iface)!.Peers.Select(p => p.Endpoint));
    }

    [Fact]
    public async Task Run_SlowDeviceReads_SpaceThePolls_WithinTheStep()
    {
        var peer = MakePeer("p", "10.0.0.2", ServerReported, C1, C2);
        var wg = DeviceWith(peer);
        var time = new ManualTime(Start);
        var read = TimeSpan.FromMilliseconds(30);
        var device = new SlowDevice(new WireGuardNatDevice(wg, Iface), time, read);
        var nat = new NatTraversal(device, time, time.Delay);

        var result = await nat.RunAsync([peer], new HashSet<IPAddress>(), Start, cancellationToken: Ct);

        Assert.Equal([C2, C1, ServerReported], result.Attempts.Select(a => Endpoint.FromIPEndPoint(a.Endpoint)));
        var polls = time.Delays.Skip(1).ToList();
        var spaced = read * NatTraversal.PollReadFactor;
        Assert.True(spaced > NatTraversal.PollInterval);
        // Each poll waits ten reads' time, the last of a step only what is left of it; a step still lasts 5 s.
        Assert.All(polls, d => Assert.InRange(d, TimeSpan.FromTicks(1), spaced));
        Assert.Equal(2, polls.Count(d => d < spaced));
        var steps = result.Attempts.Select(a => a.At).ToList();
        Assert.All(
            steps.Zip(steps.Skip(1)),
            pair => Assert.InRange(pair.Second - pair.First, NatTraversal.StepInterval, NatTraversal.StepInterval + read * 2));
        // Two steps of 5 s at one read per 330 ms (and a few around them), against 50 reads per step at 100 ms.
        Assert.InRange(device.Reads, 2 * 16, 2 * 17 + 5);
    }

    private static List<(WireGuardKey, IPEndPoint?)> Sent(DeviceConfig config)
        => config.Peers.Select(p => (p.PublicKey, p.Endpoint)).ToList();

    /// <summary>A device whose every read takes <paramref name="read"/> on the test clock.</summary>
    private sealed class SlowDevice(INatDevice inner, ManualTime time, TimeSpan read) : INatDevice
    {
        public int Reads { get; private set; }

        public WireGuardDevice? Read()
        {
            Reads++;
            time.Advance(read);
            return inner.Read();
        }

        public void Apply(DeviceConfig config) => inner.Apply(config);
    }
}
