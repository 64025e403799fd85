using Innernet.Netlink.WireGuard;
using Innernet.Server.Api;
using Innernet.Server.Serve;
using Innernet.Server.Tests.Cli;
using Microsoft.Extensions.Logging.Abstractions;

namespace Innernet.Server.Tests.Api;

/// <summary><see cref="IPeerSync.EndpointGeneration"/> of <see cref="WireGuardPeerSync"/>: grows only when the observed map really changes.</summary>
public sealed class EndpointGenerationTests
{
    private const string Device = "inn9e7a00";
    private static readonly WireGuardKey ServerKey = TestKeys.NewKeyPair().PublicKey;

    private static Peer NewPeer(long id, string ip) => new()
    {
        Id = id,
        Name = "peer" + id,
        Ip = IPAddress.Parse(ip),
        CidrId = 3,
        PublicKey = TestKeys.NewKeyPair().PublicKey,
        IsDisabled = false,
        IsRedeemed = true,
    };

    [Fact]
    public void Refresh_Grows_OnlyWhenAnEndpointIsNewOrDifferent()
    {
        var wireGuard = new FakeWireGuardControl();
        wireGuard.AddDevice(Device);
        using var sync = new WireGuardPeerSync(wireGuard, Device, ServerKey, NullLogger.Instance, TimeProvider.System);
        var peer = NewPeer(2, "10.42.1.1");
        sync.PeerAdded(peer);
        var start = sync.EndpointGeneration;

        sync.RefreshObservedEndpoints(); // nothing observed yet
        var nothingObserved = sync.EndpointGeneration;
        wireGuard.SetEndpoint(Device, peer.PublicKey, IPEndPoint.Parse("198.18.7.1:51820"));
        sync.RefreshObservedEndpoints();
        var firstSeen = sync.EndpointGeneration;
        sync.RefreshObservedEndpoints();
        var unchanged = sync.EndpointGeneration;
        wireGuard.SetEndpoint(Device, peer.PublicKey, IPEndPoint.Parse("198.18.7.1:51821"));
        sync.RefreshObservedEndpoints();
        var moved = sync.EndpointGeneration;

        Assert.Equal(start, nothingObserved);
        Assert.True(firstSeen > nothingObserved);
        Assert.Equal(firstSeen, unchanged);
        Assert.True(moved > unchanged);
        Assert.Equal(IPEndPoint.Parse("198.18.7.1:51821"), sync.GetObservedEndpoint(peer.PublicKey));
    }

    [Fact]
    public void Disable_Grows_OnlyWhenThePeerHadAnObservedEndpoint()
    {
        var wireGuard = new FakeWireGuardControl();
        wireGuard.AddDevice(Device);
        using var sync = new WireGuardPeerSync(wireGuard, Device, ServerKey, NullLogger.Instance, TimeProvider.System);
        var seen = NewPeer(2, "10.42.1.1");
        var unseen = NewPeer(3, "10.42.1.2");
        sync.PeerAdded(seen);
        sync.PeerAdded(unseen);
        wireGuard.SetEndpoint(Device, seen.PublicKey, IPEndPoint.Parse("198.18.7.1:51820"));
        sync.RefreshObservedEndpoints();
        var before = sync.EndpointGeneration;

        sync.PeerEnabledChanged(unseen with { IsDisabled = true });
        var afterUnseen = sync.EndpointGeneration;
        sync.PeerEnabledChanged(seen with { IsDisabled = true });
        var afterSeen = sync.EndpointGeneration;

        Assert.Equal(before, afterUnseen);
        Assert.True(afterSeen > afterUnseen);
        Assert.Null(sync.GetObservedEndpoint(seen.PublicKey));
    }

    [Fact]
    public void NullPeerSync_HasAFixedGeneration_AndDefaultImplementationsNone()
    {
        Assert.Equal(0, NullPeerSync.Instance.EndpointGeneration);
        Assert.Null(((IPeerSync)new RecordingPeerSync()).EndpointGeneration);
    }
}
