using Innernet.Netlink.WireGuard;

namespace Innernet.Scenarios.Tests;

/// <summary>
/// Scenario 6 — the invitation's key is one-time: after <c>inn install</c> redeemed it, the server knows only the
/// peer's new key. A throw-away interface brought up with the library in another namespace, holding the
/// invitation's temporary private key and the peer's address, gets no handshake and no API, while the redeemed
/// peer pings the server and fetches.
/// </summary>
public abstract class KeySwapScenario(ScenarioBackend backend) : Scenario(backend)
{
    [Fact]
    public async Task AfterRedemption_TheTemporaryKeyNoLongerHandshakes_TheRedeemedPeerWorks()
    {
        using var net = NewNetwork("10.81.0.0/16");
        net.Create();
        net.AddCidr("humans", "10.81.1.0/24");
        var peer = net.InvitePeer("p1", "humans");
        var temporaryPrivate = WireGuardKey.Parse(peer.InvitationPrivateKey);
        string temporaryPublic = TestKeys.PublicKeyOf(temporaryPrivate).ToString();
        await net.ServeAsync(Ct);
        Assert.Contains(temporaryPublic, net.ServerWireGuardKeys());
        Log($"before redemption the server's WireGuard holds the invitation's temporary key {temporaryPublic[..10]}…");

        await net.InstallAsync(Ct, peer);
        string permanentPublic = net.ReadState().Peer("p1").PublicKey;
        Assert.NotEqual(temporaryPublic, permanentPublic);
        await net.WaitForAsync(
            () => net.ServerWireGuardKeys() is var keys && keys.Contains(permanentPublic) && !keys.Contains(temporaryPublic),
            TimeSpan.FromSeconds(10), "the server's 5 s key swap", Ct);
        Log($"after inn install the server holds the new key {permanentPublic[..10]}… and not the temporary one");
        Assert.True(net.Ping(peer.Namespace, net.ServerOverlay), $"the redeemed peer pings the server\n{net.ServerLog()}");
        Assert.True(net.ApiReachableFrom(peer.Namespace), "the redeemed peer reaches the API");
        await net.FetchAsync(Ct, peer);
        Log("the redeemed peer pings the server, reaches the API and fetches");

        // The impostor: the same invitation's key and address, in a namespace of its own on the same underlay.
        string impostorNs = net.AddBystander("old");
        var config = new DeviceConfig { PrivateKey = temporaryPrivate, ReplacePeers = true };
        config.Peers.Add(new PeerConfig
        {
            PublicKey = WireGuardKey.Parse(peer.ServerPublicKey),
            Endpoint = new IPEndPoint(InnernetNetwork.ServerUnderlay, InnernetNetwork.ListenPort),
            PersistentKeepaliveInterval = 1,
            ReplaceAllowedIPs = true,
            AllowedIPs = { net.NetworkCidr },
        });
        string impostor = net.AddRawInterface(impostorNs, "old", config, $"{peer.Ip}/{net.NetworkCidr.PrefixLength}");
        Assert.False(net.Ping(impostorNs, net.ServerOverlay), "a ping with the temporary key must get no answer");
        Assert.False(net.ApiReachableFrom(impostorNs), "the API must not be reachable with the temporary key");
        var device = net.Device(impostorNs, impostor);
        var serverPeer = Assert.Single(device!.Peers);
        Assert.True(serverPeer.LastHandshake is null || serverPeer.LastHandshake == DateTimeOffset.UnixEpoch,
            $"the temporary key completed a handshake at {serverPeer.LastHandshake}");
        Assert.True(serverPeer.TransmitBytes > 0, "the impostor did send (handshake initiations)");
        Assert.Equal(0UL, serverPeer.ReceiveBytes);
        Log($"impostor with the temporary key: sent {serverPeer.TransmitBytes} B, received 0 B, no handshake, no ping, no API");

        Assert.True(net.Ping(peer.Namespace, net.ServerOverlay), "the redeemed peer still works");
    }
}
