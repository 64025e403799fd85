using System.Diagnostics;

namespace Innernet.Scenarios.Tests;

/// <summary>
/// Scenario 1 — innernet's own integration tests (its docker-tests) on the built commands, with the same
/// set-up: network 10.66.0.0/16, CIDR humans from the server CLI, admin peer1 in humans; from peer1
/// <c>inn add-cidr robots</c>, <c>inn add-association humans robots</c>, <c>inn add-peer peer2</c> (robots, 30 s
/// invitation) which peer2 installs. Then test_rename_cidr, test_short_lived_invitation and
/// test_simultaneous_redemption.
/// </summary>
[Trait(Layers.Name, Layers.Host)]
public sealed class DockerSuiteScenario() : Scenario(ScenarioBackend.Userspace)
{
    [Fact]
    public async Task RenameCidr_ShortLivedInvitation_SimultaneousRedemption()
    {
        using var net = NewNetwork("10.66.0.0/16");
        net.Create();
        net.AddCidr("humans", "10.66.1.0/24");
        var peer1 = net.InvitePeer("peer1", "humans", admin: true, expires: "30d");
        await net.ServeAsync(Ct);
        await net.InstallAsync(Ct, peer1);
        Ok(net, net.Inn(peer1, "add-cidr", peer1.InterfaceName, "--name", "robots", "--cidr", "10.66.2.0/24", "--parent", net.Name,
            "--yes"));
        Ok(net, net.Inn(peer1, "add-association", peer1.InterfaceName, "humans", "robots"));
        var peer2 = net.InvitePeer("peer2", "robots", invitedBy: peer1, expires: "30s");
        await net.InstallAsync(Ct, peer2);
        await net.FetchAsync(Ct, peer1);
        Log("set-up as in run-docker-tests.sh: peer1 (admin, humans) added robots, humans <=> robots and peer2 (robots)");

        // test_rename_cidr: from the admin client, then back from the server CLI while serving; list-cidrs reads the cache.
        Ok(net, net.Inn(peer1, "rename-cidr", peer1.InterfaceName, "--name", "robots", "--new-name", "coolbeans", "--yes"));
        await net.FetchAsync(Ct, peer1);
        string cidrs = Ok(net, net.Inn(peer1, "list-cidrs", peer1.InterfaceName)).StandardOutput;
        Assert.Contains("coolbeans", cidrs, StringComparison.Ordinal);
        Assert.DoesNotContain("robots", cidrs, StringComparison.Ordinal);
        Log($"inn rename-cidr robots → coolbeans; after fetch, inn list-cidrs:\n{cidrs.TrimEnd()}");
        Ok(net, net.Server("rename-cidr", net.Name, "--name", "coolbeans", "--new-name", "robots", "--yes"));
        Assert.Contains(net.ReadState().Cidrs, c => c.Name == "robots");
        await net.FetchAsync(Ct, peer2);
        cidrs = Ok(net, net.Inn(peer2, "list-cidrs", peer2.InterfaceName)).StandardOutput;
        Assert.Contains("robots", cidrs, StringComparison.Ordinal);
        Assert.DoesNotContain("coolbeans", cidrs, StringComparison.Ordinal);
        Log($"innernet-server rename-cidr coolbeans → robots while serving; after fetch, peer2's inn list-cidrs:\n{cidrs.TrimEnd()}");

        // test_short_lived_invitation: a 1 s invitation at a fixed IP is swept; the same name and IP can be invited again.
        string file = Path.Combine(net.Root, "peer3.toml");
        Ok(net, net.AddPeerCommand("peer3", "robots", file, "1s", "10.66.2.100"));
        var clock = Stopwatch.StartNew();
        await net.WaitForAsync(() => net.ReadState().Peers.All(p => p.Name != "peer3"), TimeSpan.FromSeconds(25),
            "the sweeper to remove peer3", Ct);
        Log($"peer3 (1 s invitation at 10.66.2.100) swept after {clock.Elapsed.TotalSeconds:0.0} s");
        File.Delete(file);
        Ok(net, net.AddPeerCommand("peer3", "robots", file, "1d", "10.66.2.100"));
        var again = net.ReadState().Peer("peer3");
        Assert.Equal(IPAddress.Parse("10.66.2.100"), again.Ip);
        Log("peer3 invited again with the same name and IP: accepted");

        // test_simultaneous_redemption: two invitations redeemed at the same moment both work.
        var peer4 = net.InvitePeer("peer4", "robots");
        var peer5 = net.InvitePeer("peer5", "robots");
        await net.InstallAsync(Ct, peer4, peer5);
        await net.FetchAsync(Ct, peer1, peer4, peer5);
        foreach (var peer in new[] { peer4, peer5 })
        {
            Assert.True(net.Ping(peer.Namespace, net.ServerOverlay), $"{peer.Name} pings the server\n{net.ServerLog()}");
            Assert.True(net.Ping(peer.Namespace, peer1.Ip), $"{peer.Name} pings peer1\n{net.ServerLog()}");
        }

        var state = net.ReadState();
        Assert.True(state.Peer("peer4").IsRedeemed && state.Peer("peer5").IsRedeemed);
        Log("peer4 and peer5 redeemed at the same moment; both ping the server (10.66.0.1) and peer1");
    }

    private static ProcessResult Ok(InnernetNetwork net, ProcessResult result)
    {
        Assert.True(result.Succeeded, $"{result}\n{net.ServerLog()}");
        return result;
    }
}
