namespace Innernet.Scenarios.Tests;

/// <summary>
/// Scenario 4 — server restart: while <c>serve</c> is stopped (SIGTERM) the clients keep their tunnels (peers ping
/// each other) and <c>inn down</c> + <c>inn up</c> works from the peer cache (a warning, exit 0, ping again);
/// after <c>serve</c> starts again the peers, CIDRs and associations are the same and fetch works.
/// </summary>
[Trait(Layers.Name, Layers.Host)]
public sealed class ServerRestartScenario() : Scenario(ScenarioBackend.Userspace)
{
    [Fact]
    public async Task ServerDown_TunnelsAndCachedUpKeepWorking_RestartKeepsState()
    {
        using var net = NewNetwork("10.83.0.0/16");
        net.Create();
        net.AddCidr("humans", "10.83.1.0/24");
        net.AddCidr("robots", "10.83.2.0/24");
        var a = net.InvitePeer("a", "humans");
        var b = net.InvitePeer("b", "humans");
        var r = net.InvitePeer("r", "robots");
        await net.ServeAsync(Ct);
        Assert.True(net.Server("add-association", net.Name, "humans", "robots").Succeeded);
        await net.InstallAsync(Ct, a, b, r);
        await net.FetchAsync(Ct);
        Assert.True(net.Ping(a.Namespace, r.Ip), $"a pings r through humans <=> robots\n{net.ServerLog()}");
        string before = Describe(net.ReadState());

        Assert.Equal(0, net.StopServe());
        Assert.False(net.ApiReachableFrom(a.Namespace), "the API is down");
        Log("serve stopped with SIGTERM (exit 0); the API is unreachable");
        Assert.True(net.Ping(a.Namespace, b.Ip), "a still pings b with the server down");
        Assert.True(net.Ping(r.Namespace, a.Ip), "r still pings a with the server down");
        Log("with the server down the tunnels stay: a → b and r → a ping");

        Assert.True(net.Inn(a, "down", a.InterfaceName).Succeeded);
        var up = net.Inn(a, "up", a.InterfaceName, "--no-write-hosts");
        Assert.True(up.Succeeded, up.ToString());
        Assert.Contains("cached peers instead", up.StandardOutput + up.StandardError, StringComparison.Ordinal);
        Assert.True(net.Ping(a.Namespace, b.Ip), $"after inn up from the cache a pings b\n{up}");
        Assert.True(net.Ping(a.Namespace, r.Ip), "and r");
        Log("inn down + inn up with the server down: exit 0 with the cache warning, a pings b and r again");

        await net.ServeAsync(Ct);
        string after = Describe(net.ReadState());
        Assert.Equal(before, after);
        Log($"serve restarted: peers, CIDRs and associations unchanged:\n{after}");
        await net.FetchAsync(Ct);
        var fetch = net.Inn(a, "fetch", a.InterfaceName, "--no-write-hosts");
        Assert.True(fetch.Succeeded, fetch.ToString());
        Assert.DoesNotContain("cached peers instead", fetch.StandardOutput + fetch.StandardError, StringComparison.Ordinal);
        Assert.True(net.Ping(a.Namespace, net.ServerOverlay), "a pings the restarted server");
        Log("after the restart every client fetches from the server again");
    }

    private static string Describe(ServerState state) => string.Join('\n',
        state.Cidrs.OrderBy(c => c.Id).Select(c => $"cidr {c.Id} {c.Name} {c.Cidr} parent {c.Parent}")
            .Concat(state.Peers.OrderBy(p => p.Id).Select(p => $"peer {p.Id} {p.Name} {p.Ip} cidr {p.CidrId} key {p.PublicKey} "
                + $"admin {p.IsAdmin} disabled {p.IsDisabled} redeemed {p.IsRedeemed}"))
            .Concat(state.AssociationNames().Select(a => "association " + a)));
}
