using Innernet.Netlink.WireGuard;
using Innernet.Server.Api;
using Innernet.Server.Serve;
using Innernet.Server.Tests.Serve;
using Microsoft.Extensions.Logging.Abstractions;

namespace Innernet.Server.Tests.Api;

/// <summary><see cref="IPeerSync.EndpointGeneration"/> of <see cref="WireGuardPeerSync"/>: grows only when the observed map really
/// changes.</summary>
public sealed class EndpointGenerationTests
{
    private const string Device = ReconcileLab.Device;

    private static WireGuardPeerSync Started(ReconcileLab lab)
    {
        var sync = new WireGuardPeerSync(lab.WireGuard, Device, ReconcileLab.ServerKey, lab.Store.ListPeers, NullLogger.Instance, lab.Time);
        sync.Start(null);
        return sync;
    }

    [Fact]
    public void Refresh_Grows_OnlyWhenAnEndpointIsNewOrDifferent()
    {
        using var lab = new ReconcileLab(members: 1);
        using var sync = Started(lab);
        var peer = lab.Store.ListPeers()[^1];
        var start = sync.EndpointGeneration;

        sync.RefreshObservedEndpoints(); // nothing observed yet
        var nothingObserved = sync.EndpointGeneration;
        lab.WireGuard.SetEndpoint(Device, peer.PublicKey, IPEndPoint.Parse("198.18.7.1:51820"));
        sync.RefreshObservedEndpoints();
        var firstSeen = sync.EndpointGeneration;
        sync.RefreshObservedEndpoints();
        var unchanged = sync.EndpointGeneration;
        lab.WireGuard.SetEndpoint(Device, peer.PublicKey, IPEndPoint.Parse("198.18.7.1:51821"));
        sync.RefreshObservedEndpoints();
        var moved = sync.EndpointGeneration;

        Assert.Equal(start, nothingObserved);
        Assert.True(firstSeen > nothingObserved);
        Assert.Equal(firstSeen, unchanged);
        Assert.True(moved > unchanged);
        Assert.Equal(IPEndPoint.Parse("198.18.7.1:51821"), sync.GetObservedEndpoint(peer.PublicKey));
    }

    [Fact]
    public async Task Disable_Grows_OnlyWhenThePeerHadAnObservedEndpoint()
    {
        using var lab = new ReconcileLab(members: 2);
        using var sync = Started(lab);
        var seen = lab.Store.ListPeers()[^1];
        var unseen = lab.Store.ListPeers()[^2];
        lab.WireGuard.SetEndpoint(Device, seen.PublicKey, IPEndPoint.Parse("198.18.7.1:51820"));
        sync.RefreshObservedEndpoints();
        var before = sync.EndpointGeneration;

        long passes = sync.Passes;
        sync.PeerEnabledChanged(lab.Store.SetDisabled(unseen.Id, true));
        await Eventually.TrueAsync(() => sync.Passes > passes && !lab.DeviceKeys().Contains(unseen.PublicKey), "the unseen peer removed");
        var afterUnseen = sync.EndpointGeneration;
        Assert.Equal(before, afterUnseen);

        // The pass drops the endpoint first and then grows the generation, so a look between the two sees the old number:
        // wait for both (a generation that never grows fails the wait).
        sync.PeerEnabledChanged(lab.Store.SetDisabled(seen.Id, true));
        await Eventually.TrueAsync(
            () => sync.GetObservedEndpoint(seen.PublicKey) is null && sync.EndpointGeneration > afterUnseen,
            "the seen peer's endpoint forgotten and the generation grown");
    }

    [Fact]
    public void NullPeerSync_HasAFixedGeneration_AndDefaultImplementationsNone()
    {
        Assert.Equal(0, NullPeerSync.Instance.EndpointGeneration);
        Assert.Null(((IPeerSync)new RecordingPeerSync()).EndpointGeneration);
    }
}
