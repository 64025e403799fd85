using Innernet.Core.Persistence;
using Innernet.Server.Api;

namespace Innernet.Server.Tests;

/// <summary>The served endpoint and candidates and the echo filter for admin updates.</summary>
public sealed class EndpointInjectionTests
{
    private static readonly IPEndPoint Observed = IPEndPoint.Parse("198.51.100.20:51820");

    private static Peer MakePeer(string? endpoint, params string[] candidates) => ApiServer
        .NewPeer("peer", IPAddress.Parse("10.80.64.2"), 4)
        .WithId(3) with
    {
        Endpoint = endpoint is null ? null : Endpoint.Parse(endpoint),
        Candidates = [.. candidates.Select(Endpoint.Parse)],
        PersistentKeepaliveInterval = null,
    };

    private static RecordingPeerSync SyncObserving(Peer peer, IPEndPoint? observed)
    {
        var sync = new RecordingPeerSync();
        if (observed is not null)
        {
            sync.Observed[peer.PublicKey] = observed;
        }

        return sync;
    }

    [Theory]
    [InlineData(null, "198.51.100.20:51820", new string[0])]
    [InlineData("203.0.113.5:1000", "203.0.113.5:1000", new[] { "198.51.100.20:51820" })]
    [InlineData("vpn.example.net:51820", "vpn.example.net:51820", new[] { "198.51.100.20:51820" })]
    [InlineData("0.0.0.0:40000", "198.51.100.20:40000", new[] { "198.51.100.20:51820" })]
    [InlineData("[::]:51820", "198.51.100.20:51820", new string[0])]
    [InlineData("198.51.100.20:51820", "198.51.100.20:51820", new string[0])]
    public void Serve_InjectsTheObservedEndpoint(string? stored, string expectedEndpoint, string[] expectedCandidates)
    {
        var peer = MakePeer(stored);

        var served = EndpointInjection.Serve(peer, SyncObserving(peer, Observed));

        Assert.Equal(Endpoint.Parse(expectedEndpoint), served.Endpoint);
        Assert.Equal(expectedCandidates.Select(Endpoint.Parse), served.Candidates);
        Assert.Equal((ushort)25, served.PersistentKeepaliveInterval);
    }

    [Fact]
    public void Serve_NothingObserved_ClearsAnUnspecifiedOverride_AndKeepsOthers()
    {
        var unspecified = MakePeer("0.0.0.0:40000", "192.0.2.1:1");
        var plain = MakePeer("203.0.113.5:1000");

        Assert.Null(EndpointInjection.Serve(unspecified, new RecordingPeerSync()).Endpoint);
        Assert.Equal([Endpoint.Parse("192.0.2.1:1")], EndpointInjection.Serve(unspecified, new RecordingPeerSync()).Candidates);
        Assert.Equal(plain.Endpoint, EndpointInjection.Serve(plain, new RecordingPeerSync()).Endpoint);
    }

    [Fact]
    public void Serve_TheServerPeer_IsNeverInjected()
    {
        var serverPeer = MakePeer("155.155.155.155:54321") with { Id = Peer.ServerId };

        var served = EndpointInjection.Serve(serverPeer, SyncObserving(serverPeer, Observed));

        Assert.Equal(serverPeer.Endpoint, served.Endpoint);
        Assert.Empty(served.Candidates);
    }

    [Fact]
    public void Serve_ObservedIpv6WithScope_LosesTheScope()
    {
        var peer = MakePeer(null);
        var linkLocal = new IPEndPoint(IPAddress.Parse("fe80::1%2"), 51820);

        var served = EndpointInjection.Serve(peer, SyncObserving(peer, linkLocal));

        Assert.Equal("[fe80::1]:51820", served.Endpoint!.ToString());
    }

    [Fact]
    public void WithoutEchoes_AnEchoedGet_ChangesNothingButTheEditedFields()
    {
        var stored = MakePeer("0.0.0.0:40000", "192.0.2.1:1");
        var sync = SyncObserving(stored, Observed);
        var served = EndpointInjection.Serve(stored, sync);

        var update = EndpointInjection.WithoutEchoes(stored, PeerUpdate.From(served) with { Name = "renamed" }, sync);

        Assert.Equal(stored.Endpoint, update.Endpoint);
        Assert.Equal(stored.Candidates, update.Candidates);
        Assert.Equal("renamed", update.Name);
    }

    [Fact]
    public void WithoutEchoes_RealChanges_PassThrough()
    {
        var stored = MakePeer(null, "192.0.2.1:1");
        var sync = SyncObserving(stored, Observed);
        var wanted = PeerUpdate.From(stored) with
        {
            Endpoint = Endpoint.Parse("203.0.113.9:9"),
            Candidates = [Endpoint.Parse("192.0.2.2:2")],
        };

        var update = EndpointInjection.WithoutEchoes(stored, wanted, sync);

        Assert.Equal(wanted.Endpoint, update.Endpoint);
        Assert.Equal(wanted.Candidates, update.Candidates);
    }

    [Fact]
    public void WithoutEchoes_ObservedAlreadyStoredAsCandidate_IsKept()
    {
        var stored = MakePeer("203.0.113.5:1000", "198.51.100.20:51820");
        var sync = SyncObserving(stored, Observed);
        var served = EndpointInjection.Serve(stored, sync);

        var update = EndpointInjection.WithoutEchoes(stored, PeerUpdate.From(served), sync);

        Assert.Equal(stored.Candidates, update.Candidates);
    }
}
