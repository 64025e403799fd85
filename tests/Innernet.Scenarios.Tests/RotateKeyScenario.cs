using Innernet.Netlink.WireGuard;

namespace Innernet.Scenarios.Tests;

/// <summary>
/// Key rotation without a new invitation: peer a runs <c>inn rotate-key</c>; the server swaps a's key after its 5 s
/// transition, a reaches the API again under its new key, b follows on its next fetch (its pin moves along a's signed
/// step) and still pings a, and a's old key, brought up by an impostor in a namespace of its own with a's address,
/// gets no handshake, no ping and no API.
/// </summary>
[Trait(Layers.Name, Layers.Host)]
public sealed class RotateKeyScenario() : Scenario(ScenarioBackend.Userspace)
{
    [Fact]
    public async Task RotateKey_OthersFollowOnFetch_PingsKeepWorking_TheOldKeyIsDead()
    {
        using var net = NewNetwork("10.86.0.0/16");
        net.Create();
        net.AddCidr("humans", "10.86.1.0/24");
        var a = net.InvitePeer("a", "humans");
        var b = net.InvitePeer("b", "humans");
        await net.ServeAsync(Ct);
        await net.InstallAsync(Ct, a, b);
        await net.FetchAsync(Ct);
        Assert.True(net.Ping(b.Namespace, a.Ip), $"b pings a before the rotation\n{net.DescribeWireGuard()}\n{net.ServerLog()}");
        var oldPrivate = net.PeerDevice(a)!.PrivateKey!.Value;
        string oldPublic = net.ReadState().Peer("a").PublicKey;

        var rotate = net.Inn(a, "rotate-key", a.InterfaceName, "--yes");
        Assert.True(rotate.Succeeded, $"{rotate}\n{net.ServerLog()}");
        string newPublic = net.ReadState().Peer("a").PublicKey;
        Assert.NotEqual(oldPublic, newPublic);
        Assert.Equal(newPublic, TestKeys.PublicKeyOf(net.PeerDevice(a)!.PrivateKey!.Value).ToString());
        await net.WaitForAsync(
            () => net.ServerWireGuardKeys() is var keys && keys.Contains(newPublic) && !keys.Contains(oldPublic),
            TimeSpan.FromSeconds(10), "the server's 5 s key swap", Ct);
        Log($"inn rotate-key a: {oldPublic[..10]}… → {newPublic[..10]}…; the server holds only the new key after its transition");

        // a's WireGuard handshakes with the server under the new key on its next attempt (every 5 s).
        await net.WaitForAsync(() => net.ApiReachableFrom(a.Namespace), TimeSpan.FromSeconds(25), "a to reach the API under its new key",
            Ct);
        await net.FetchAsync(Ct, a);
        // b's fetch falls back to its cache (with a warning, exit 0) when the API does not answer in time on a loaded
        // machine; only an answered fetch says anything about the pin, so fetch until one was answered.
        ProcessResult? bFetch = null;
        await net.WaitForAsync(() =>
        {
            bFetch = net.Inn(b, "fetch", b.InterfaceName, "--no-write-hosts");
            Assert.True(bFetch.Succeeded, $"{bFetch}\n{net.ServerLog()}");
            return !(bFetch.StandardOutput + bFetch.StandardError).Contains("cached peers instead", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(60), "an answered fetch on b", Ct);
        var bPeers = net.PeerDevice(b)!.Peers.Select(p => p.PublicKey.ToString()).ToHashSet(StringComparer.Ordinal);
        Assert.True(bPeers.Contains(newPublic) && !bPeers.Contains(oldPublic), $"b must hold a's new key only\n{bFetch}");
        await net.WaitForAsync(() => net.Ping(b.Namespace, a.Ip), TimeSpan.FromSeconds(25), "b to ping a under its new key", Ct);
        Log("a and b fetched (b's pin moved along a's signed step); b pings a under a's new key");

        string impostorNs = net.AddBystander("rot");
        var config = new DeviceConfig { PrivateKey = oldPrivate, ReplacePeers = true };
        config.Peers.Add(new PeerConfig
        {
            PublicKey = WireGuardKey.Parse(a.ServerPublicKey),
            Endpoint = new IPEndPoint(InnernetNetwork.ServerUnderlay, InnernetNetwork.ListenPort),
            PersistentKeepaliveInterval = 1,
            ReplaceAllowedIPs = true,
            AllowedIPs = { net.NetworkCidr },
        });
        string impostor = net.AddRawInterface(impostorNs, "rot", config, $"{a.Ip}/{net.NetworkCidr.PrefixLength}");
        Assert.False(net.Ping(impostorNs, net.ServerOverlay), "a ping with a's old key must get no answer");
        Assert.False(net.ApiReachableFrom(impostorNs), "the API must not be reachable with a's old key");
        var serverPeer = Assert.Single(net.Device(impostorNs, impostor)!.Peers);
        Assert.True(serverPeer.LastHandshake is null || serverPeer.LastHandshake == DateTimeOffset.UnixEpoch,
            $"a's old key completed a handshake at {serverPeer.LastHandshake}");
        Assert.Equal(0UL, serverPeer.ReceiveBytes);
        Log($"impostor with a's old key: sent {serverPeer.TransmitBytes} B, received 0 B, no handshake, no ping, no API");

        Assert.True(net.Ping(b.Namespace, a.Ip), "b still pings a");
    }
}
