using System.Text.Json;

namespace Innernet.Scenarios.Tests;

/// <summary>
/// Moving in: <c>innernet-server import</c> takes over the server innernet 1.7.1 wrote (its key, port, CIDRs,
/// peers, associations), and innernet's own client files for p1 — config and data store with its key pins, not
/// touched — fetch from it: the pins hold and p1's device gets exactly the peers innernet's server listed for p1
/// in its recorded <c>GET /v1/user/state</c> answer; p1 pings the server through the tunnel.
/// </summary>
[Trait(Layers.Name, Layers.Host)]
public sealed class ImportScenario() : Scenario(ScenarioBackend.Userspace)
{
    [Fact]
    public async Task ImportedServer_InnernetsClientFilesFetchUnchanged()
    {
        using var net = NewNetwork("10.66.0.0/16");
        var import = net.ImportInnernetFixture();
        Log(import.StandardOutput.Trim());
        await net.ServeAsync(Ct);
        var p1 = net.AddInstalledPeer("p1", InnernetFixtures.ClientConfig, InnernetFixtures.ClientData);
        string cache = Path.Combine(p1.DataDirectory, p1.InterfaceName + ".json");
        var pinsBefore = Pins(File.ReadAllText(cache));

        var up = net.Inn(p1, "up", p1.InterfaceName, "--no-write-hosts", "--no-nat-traversal");

        Assert.True(up.Succeeded, $"{up}\n{net.ServerLog()}");
        Assert.DoesNotContain("cached peers instead", up.StandardOutput + up.StandardError, StringComparison.Ordinal);
        var pinsAfter = Pins(File.ReadAllText(cache));
        Assert.Equal(pinsBefore.OrderBy(p => p.Key), pinsAfter.Where(p => pinsBefore.ContainsKey(p.Key)).OrderBy(p => p.Key));
        Log($"inn up with innernet's config and data store: exit 0, {pinsBefore.Count} key pins unchanged");

        var expected = Pins(File.ReadAllText(InnernetFixtures.Api("user-state.json")));
        expected.Remove(p1.Ip.ToString());
        var device = net.PeerDevice(p1) ?? throw new InvalidOperationException("p1 has no WireGuard device");
        var actual = device.Peers.ToDictionary(
            p => string.Join(",", p.AllowedIPs.Select(a => a.BaseAddress.ToString())), p => p.PublicKey.ToString());
        Assert.Equal(expected.OrderBy(p => p.Key), actual.OrderBy(p => p.Key));
        Log($"p1's device holds the {actual.Count} peers innernet's server listed for p1: {string.Join(", ", actual.Keys.Order())}");

        Assert.True(net.Ping(p1.Namespace, net.ServerOverlay),
            $"p1 pings the imported server\n{net.DescribeWireGuard()}\n{net.ServerLog()}");
        Log("p1 pings the imported server at 10.66.0.1 with its own, untouched key");
    }

    /// <summary>IP → public key of every peer in an innernet state or data store file (the pins innernet keeps).</summary>
    private static Dictionary<string, string> Pins(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("peers").EnumerateArray().ToDictionary(
            p => p.GetProperty("ip").GetString()!, p => p.GetProperty("public_key").GetString()!);
    }
}
