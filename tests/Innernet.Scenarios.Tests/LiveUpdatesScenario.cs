using System.Diagnostics;
using System.Text.Json;

namespace Innernet.Scenarios.Tests;

/// <summary>
/// Live updates with real processes (<c>innernet-server serve</c>, <c>inn up --daemon</c> per peer) in namespaces on
/// wireguard-go: a change reaches every daemon's WireGuard device through the state stream, without any fetch. The
/// deadlines are the issue's: a disabled peer is unreachable from the others within 1 s; two peers that get an
/// association ping each other within 1 s plus one handshake.
/// </summary>
[Trait(Layers.Name, Layers.Host)]
public sealed class LiveUpdatesScenario() : Scenario(ScenarioBackend.Userspace)
{
    private static readonly TimeSpan Propagation = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task DisabledPeer_IsUnreachableFromEveryOtherPeerWithin1s()
    {
        using var net = NewNetwork("10.83.0.0/16");
        net.Create();
        net.AddCidr("humans", "10.83.1.0/24");
        var a = net.InvitePeer("a", "humans");
        var b = net.InvitePeer("b", "humans");
        var c = net.InvitePeer("c", "humans");
        await net.ServeAsync(Ct);
        await net.InstallAsync(Ct, a, b, c);
        await StartLiveAsync(net, a, b, c);
        Assert.True(net.Ping(b.Namespace, a.Ip), $"b pings a before the change\n{net.DescribeWireGuard()}");
        Assert.True(net.Ping(c.Namespace, a.Ip), $"c pings a before the change\n{net.DescribeWireGuard()}");
        string aKey = net.ReadState().Peer("a").PublicKey.ToString();

        var result = net.Server("disable-peer", net.Name, "--name", "a", "--yes");
        var changed = Stopwatch.StartNew();
        Assert.True(result.Succeeded, $"{result}\n{net.ServerLog()}");
        await net.WaitForAsync(
            () => !HasPeer(net, b, aKey) && !HasPeer(net, c, aKey), TimeSpan.FromSeconds(10), "b and c to drop a", Ct);
        var applied = changed.Elapsed;
        Log($"disable-peer a: dropped from b's and c's WireGuard {applied.TotalMilliseconds:0} ms after the command returned");

        Assert.True(applied <= Propagation,
            $"a must leave the others' devices within 1 s, took {applied.TotalMilliseconds:0} ms\n{net.DaemonLogs()}");
        Assert.False(net.Ping(b.Namespace, a.Ip), "b must no longer reach a");
        Assert.False(net.Ping(c.Namespace, a.Ip), "c must no longer reach a");
    }

    [Fact]
    public async Task NewAssociation_LetsTwoPeersPingWithin1sPlusOneHandshake()
    {
        using var net = NewNetwork("10.84.0.0/16");
        net.Create();
        net.AddCidr("left", "10.84.1.0/24");
        net.AddCidr("right", "10.84.2.0/24");
        var l = net.InvitePeer("l", "left");
        var r = net.InvitePeer("r", "right");
        await net.ServeAsync(Ct);
        await net.InstallAsync(Ct, l, r);
        await StartLiveAsync(net, l, r);
        string lKey = net.ReadState().Peer("l").PublicKey.ToString();
        string rKey = net.ReadState().Peer("r").PublicKey.ToString();
        Assert.False(HasPeer(net, l, rKey), "l must not see r before the association");

        // The server learns a peer's endpoint from its WireGuard device: every 10 s, and about a second after the
        // first request of a peer whose endpoint it does not know yet. Without it in the views nobody could start a
        // handshake with the other, so wait for it (the daemons' requests have triggered that read by now).
        var observed = Stopwatch.StartNew();
        await net.WaitForAsync(() => ServerObservedEndpoints(net, "l", "r"), TimeSpan.FromSeconds(20),
            "the server to have observed l's and r's endpoints", Ct);
        Log($"the server had observed l's and r's endpoints {observed.Elapsed.TotalMilliseconds:0} ms after both were live");

        var result = net.Server("add-association", net.Name, "left", "right", "--yes");
        var changed = Stopwatch.StartNew();
        Assert.True(result.Succeeded, $"{result}\n{net.ServerLog()}");
        await net.WaitForAsync(() => HasPeer(net, l, rKey) && HasPeer(net, r, lKey), TimeSpan.FromSeconds(10), "l and r to get each other",
            Ct);
        var applied = changed.Elapsed;
        Log($"add-association left right: on both devices {applied.TotalMilliseconds:0} ms after the command returned");
        Assert.True(applied <= Propagation,
            $"the association must reach both devices within 1 s, took {applied.TotalMilliseconds:0} ms\n{net.DaemonLogs()}");

        // One handshake on a local bridge takes milliseconds. Both daemons add each other from the same update; if both
        // initiated at once, wireguard-go would drop both responses and the handshake would complete only at the retry,
        // REKEY_TIMEOUT (5 s) later. So only the peer with the smaller key starts at once, the other turns its keepalive
        // on 1 s later (LiveView). The ping's own wait stays long enough for one retry, should a handshake be lost.
        var ping = net.Lab.ExecWithTimeout(TimeSpan.FromSeconds(15), l.Namespace, "ping", "-n", "-c", "1", "-W", "7", r.Ip.ToString());
        Log($"l pings r: {(ping.Succeeded ? "reply" : "no reply")}, {changed.Elapsed.TotalMilliseconds:0} ms after the command");
        Assert.True(ping.Succeeded, $"l must ping r within 1 s plus one handshake\n{ping}\n{net.DescribeWireGuard()}\n{net.DaemonLogs()}");
    }

    /// <summary>True when the server's listing (endpoints injected from WireGuard) has an endpoint for every named peer.</summary>
    private static bool ServerObservedEndpoints(InnernetNetwork net, params string[] names)
    {
        using var peers = JsonDocument.Parse(net.Server("list-peers", net.Name, "--json").EnsureSuccess().StandardOutput);
        return names.All(name => peers.RootElement.EnumerateArray().Any(p =>
            p.GetProperty("name").GetString() == name && p.TryGetProperty("endpoint", out var e) && e.ValueKind == JsonValueKind.String));
    }

    /// <summary>Starts a daemon per peer and waits until each says its network is live (the stream held).</summary>
    private async Task StartLiveAsync(InnernetNetwork net, params InnernetPeer[] peers)
    {
        foreach (var peer in peers)
        {
            net.StartDaemon(peer);
        }

        await net.WaitForAsync(() => peers.All(p => net.UpdatesMode(p) == "live"), TimeSpan.FromSeconds(30),
            "every daemon to hold the stream", Ct);
        Log($"inn up --daemon on {string.Join(", ", peers.Select(p => p.Name))}: live");
    }

    private static bool HasPeer(InnernetNetwork net, InnernetPeer peer, string key)
        => net.PeerDevice(peer)?.Peers.Any(p => p.PublicKey.ToString() == key) ?? false;
}
