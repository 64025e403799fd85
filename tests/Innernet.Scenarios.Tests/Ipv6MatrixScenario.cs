namespace Innernet.Scenarios.Tests;

/// <summary>
/// Scenario 7 — IPv6: a network with a ULA root (fd00:80::/48) runs scenario 2's core: siblings under a parent
/// CIDR, the ping6 matrix equal to the visibility rule, before and after an association to the parent CIDR.
/// </summary>
[Trait(Layers.Name, Layers.Host)]
public sealed class Ipv6MatrixScenario() : Scenario(ScenarioBackend.Userspace)
{
    [Fact]
    public async Task Ping6Matrix_EqualsTheVisibilityRule_BeforeAndAfterAnAssociation()
    {
        using var net = NewNetwork("fd00:80::/48");
        net.Create();
        net.AddCidr("humans", "fd00:80:0:1::/64");
        net.AddCidr("robots", "fd00:80:0:10::/60");
        net.AddCidr("robots-a", "fd00:80:0:10::/64", "robots");
        net.AddCidr("robots-b", "fd00:80:0:11::/64", "robots");
        var admin = net.InvitePeer("admin", "humans", admin: true);
        InnernetPeer[] others = [net.InvitePeer("h1", "humans"), net.InvitePeer("ra", "robots-a"), net.InvitePeer("rb", "robots-b")];
        Assert.Equal(System.Net.Sockets.AddressFamily.InterNetworkV6, admin.Ip.AddressFamily);
        await net.ServeAsync(Ct);
        await net.InstallAsync(Ct, [admin, .. others]);
        await net.FetchAsync(Ct);
        string[] machines = ["server", "admin", "h1", "ra", "rb"];
        Log($"server {net.ServerOverlay}, peers {string.Join(", ", net.Peers.Select(p => $"{p.Name} {p.Ip}"))}");

        var baseline = await AssertPingMatrixAsync(net, machines, "IPv6, no associations");
        Assert.Contains("admin→h1", baseline);

        var result = net.Inn(admin, "add-association", admin.InterfaceName, "humans", "robots", "--yes");
        Assert.True(result.Succeeded, result.ToString());
        await net.FetchAsync(Ct);
        var after = await AssertPingMatrixAsync(net, machines, "IPv6, humans <=> robots");
        Assert.Contains("h1→ra", after);
        Assert.DoesNotContain("ra→rb", after);
    }
}
