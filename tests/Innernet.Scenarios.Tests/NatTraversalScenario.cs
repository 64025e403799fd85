using System.Diagnostics;
using System.Text.Json;

namespace Innernet.Scenarios.Tests;

/// <summary>
/// Scenario 5 — NAT: two peers, each behind its own masquerading NAT namespace (nftables <c>masquerade</c> out of
/// the WAN on the 198.18 bridge; LANs 198.19.n.0/24), reach each other DIRECTLY — innernet has no relay — through
/// the server-reflexive endpoints the server injects and the candidates the clients report, tried by the fetches'
/// NAT traversal. Bounded: at most 60 s of fetch rounds. <c>inn show --json</c> then reports the handshake, and the
/// WireGuard endpoint each one uses for the other is the other's NAT WAN address, not the server's.
/// </summary>
[Trait(Layers.Name, Layers.Host)]
public sealed class NatTraversalScenario() : Scenario(ScenarioBackend.Userspace)
{
    [Fact]
    public async Task PeersBehindSeparateNats_HandshakeDirectly_ThroughReflexiveEndpoints()
    {
        using var net = NewNetwork("10.84.0.0/16");
        net.Create();
        net.AddCidr("humans", "10.84.1.0/24");
        var a = net.InvitePeerBehindNat("a", "humans");
        var b = net.InvitePeerBehindNat("b", "humans");
        await net.ServeAsync(Ct);
        await net.InstallAsync(Ct, a, b);
        var state = net.ReadState();
        string aKey = state.Peer("a").PublicKey, bKey = state.Peer("b").PublicKey;

        var clock = Stopwatch.StartNew();
        int rounds = 0;
        while (!(Connected(net, a, bKey) && Connected(net, b, aKey)))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60),
                $"a and b did not handshake within 60 s of fetch rounds ({rounds})\n{net.DescribeWireGuard()}\n{net.ServerLog()}");
            await net.FetchAsync(Ct, a, b);
            rounds++;
        }

        Log($"a and b handshook with each other after {rounds} fetch round(s), {clock.Elapsed.TotalSeconds:0.0} s");
        var aSeesB = net.PeerDevice(a)!.Peers.Single(p => p.PublicKey.ToString() == bKey);
        var bSeesA = net.PeerDevice(b)!.Peers.Single(p => p.PublicKey.ToString() == aKey);
        Assert.Equal(IPAddress.Parse("198.18.0.102"), aSeesB.Endpoint?.Address); // b's NAT WAN: direct, not via 198.18.0.1
        Assert.Equal(IPAddress.Parse("198.18.0.101"), bSeesA.Endpoint?.Address);
        Log($"direct path: a → b at {aSeesB.Endpoint} (b's NAT), b → a at {bSeesA.Endpoint} (a's NAT); the server is 198.18.0.1");
        Assert.True(net.Ping(a.Namespace, b.Ip), "a pings b through the tunnel");
        Assert.True(net.Ping(b.Namespace, a.Ip), "b pings a through the tunnel");

        using var show = net.Show(a);
        var shownB = show.RootElement.GetProperty("interfaces")[0].GetProperty("peers").EnumerateArray()
            .Single(p => p.GetProperty("name").GetString() == "b");
        Assert.True(shownB.GetProperty("connected").GetBoolean(), show.RootElement.ToString());
        Assert.Equal(JsonValueKind.Number, shownB.GetProperty("last_handshake_seconds_ago").ValueKind);
        Log($"inn show --json on a: b connected, last handshake {shownB.GetProperty("last_handshake_seconds_ago").GetInt64()} s ago");
    }

    private static bool Connected(InnernetNetwork net, InnernetPeer viewer, string key) =>
        net.PeerDevice(viewer)?.Peers.SingleOrDefault(p => p.PublicKey.ToString() == key) is { LastHandshake: { } at }
        && at > DateTimeOffset.UnixEpoch;
}
