namespace Innernet.Scenarios.Tests;

/// <summary>
/// Scenario 3 — disable-peer from the server command and from an admin client: the server drops the peer's key
/// from its WireGuard interface at once, the disabled peer loses the API (its <c>inn fetch</c> cannot reach the
/// server and falls back to the cache with a warning, innernet 1.7's behaviour), and the other peers drop it on
/// their next fetch. enable-peer restores all of it.
/// </summary>
[Trait(Layers.Name, Layers.Host)]
public sealed class DisablePeerScenario() : Scenario(ScenarioBackend.Userspace)
{
    [Fact]
    public async Task DisablePeer_FromServerAndAdmin_CutsApiAndPeers_EnablePeerRestores()
    {
        using var net = NewNetwork("10.82.0.0/16");
        net.Create();
        net.AddCidr("humans", "10.82.1.0/24");
        var admin = net.InvitePeer("admin", "humans", admin: true);
        var a = net.InvitePeer("a", "humans");
        var b = net.InvitePeer("b", "humans");
        await net.ServeAsync(Ct);
        await net.InstallAsync(Ct, admin, a, b);
        await net.FetchAsync(Ct);
        Assert.True(net.Ping(b.Namespace, a.Ip), $"b pings a before anything is disabled\n{net.DescribeWireGuard()}\n{net.ServerLog()}");

        // From the server command (while serving).
        var aKey = net.ReadState().Peer("a").PublicKey;
        Ok(net, net.Server("disable-peer", net.Name, "--name", "a", "--yes"));
        await net.WaitForAsync(() => !net.ServerWireGuardKeys().Contains(aKey), TimeSpan.FromSeconds(3), "the server to drop a's key", Ct);
        Assert.True(net.ReadState().Peer("a").IsDisabled);
        Log("innernet-server disable-peer a: the server's WireGuard dropped a's key at once");
        Assert.False(net.ApiReachableFrom(a.Namespace), "a disabled peer must not reach the API");
        var fetch = net.Inn(a, "fetch", a.InterfaceName, "--no-write-hosts");
        Assert.Contains("cached peers instead", fetch.StandardOutput + fetch.StandardError, StringComparison.Ordinal);
        Log($"a lost the API: its inn fetch falls back to the cache → {FirstLine(fetch)}");
        await net.FetchAsync(Ct, admin, b);
        Assert.DoesNotContain(aKey, PeerKeys(net, b));
        Assert.False(net.Ping(b.Namespace, a.Ip), "b must no longer reach a after its fetch");
        Log("after their next fetch, admin and b no longer have a as a WireGuard peer (no ping)");

        Ok(net, net.Server("enable-peer", net.Name, "--name", "a", "--yes"));
        await net.WaitForAsync(() => net.ServerWireGuardKeys().Contains(aKey), TimeSpan.FromSeconds(3), "the server to restore a's key",
            Ct);
        // a's WireGuard re-handshakes with the server on its next retry (every 5 s), then the API answers again.
        await net.WaitForAsync(() => net.ApiReachableFrom(a.Namespace), TimeSpan.FromSeconds(20), "a to reach the API again", Ct);
        await net.FetchAsync(Ct, a, b);
        Assert.True(net.Ping(b.Namespace, a.Ip), $"b pings a again after enable-peer and a fetch\n{net.ServerLog()}");
        Log("innernet-server enable-peer a: key back on the server at once, API back, b pings a after fetch");

        // From the admin client.
        var bKey = net.ReadState().Peer("b").PublicKey;
        Ok(net, net.Inn(admin, "disable-peer", admin.InterfaceName, "--name", "b", "--yes"));
        await net.WaitForAsync(() => !net.ServerWireGuardKeys().Contains(bKey), TimeSpan.FromSeconds(3), "the server to drop b's key", Ct);
        Assert.False(net.ApiReachableFrom(b.Namespace), "b disabled by the admin must not reach the API");
        await net.FetchAsync(Ct, a);
        Assert.DoesNotContain(bKey, PeerKeys(net, a));
        Assert.False(net.Ping(a.Namespace, b.Ip), "a must no longer reach b after its fetch");
        Log("inn disable-peer b (admin): server dropped b at once, b lost the API, a dropped b on its next fetch");

        Ok(net, net.Inn(admin, "enable-peer", admin.InterfaceName, "--name", "b", "--yes"));
        await net.WaitForAsync(() => net.ServerWireGuardKeys().Contains(bKey), TimeSpan.FromSeconds(3), "the server to restore b's key",
            Ct);
        await net.FetchAsync(Ct, a, b);
        Assert.True(net.Ping(a.Namespace, b.Ip), $"a pings b again\n{net.ServerLog()}");
        Log("inn enable-peer b (admin): restored on the server at once and for a after fetch");
    }

    private static HashSet<string> PeerKeys(InnernetNetwork net, InnernetPeer peer) =>
        net.PeerDevice(peer)?.Peers.Select(p => p.PublicKey.ToString()).ToHashSet(StringComparer.Ordinal) ?? [];

    private static string FirstLine(ProcessResult result) =>
        (result.StandardOutput + result.StandardError).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(l => l.Contains("cached", StringComparison.Ordinal))?.Trim() ?? "";

    private static ProcessResult Ok(InnernetNetwork net, ProcessResult result)
    {
        Assert.True(result.Succeeded, $"{result}\n{net.ServerLog()}");
        return result;
    }
}
