using Innernet.Core.Contracts;
using Innernet.Core.Persistence;

namespace Innernet.Server.Tests.Api;

/// <summary><see cref="ServerStore.Version"/> (the cache key of the API bodies) and <see cref="ServerStore.GetStateForCidr"/>.</summary>
public sealed class StoreVersionTests
{
    [Fact]
    public async Task Version_GrowsWithEveryCommittedChange_AndNotWithAWriteThatChangesNothing()
    {
        await using var server = await ApiServer.StartAsync();
        var store = server.Store;
        var versions = new List<long> { store.Version };

        store.AddPeer(ApiServer.NewPeer("developer3", server.Network.FreeDeveloperIp, TestNetwork.DeveloperCidrId));
        versions.Add(store.Version);
        store.SetDisabled(TestNetwork.Developer2Id, true);
        versions.Add(store.Version);
        store.AddAssociation(new AssociationContents(TestNetwork.DeveloperCidrId, TestNetwork.UserCidrId));
        versions.Add(store.Version);
        store.SetCandidates(TestNetwork.Developer1Id, [Endpoint.Parse("192.0.2.1:51820")]);
        versions.Add(store.Version);
        store.SetCandidates(TestNetwork.Developer1Id, [Endpoint.Parse("192.0.2.1:51820")]);
        var unchanged = store.Version;
        Assert.Throws<Innernet.Core.ValidationException>(() =>
            store.AddPeer(ApiServer.NewPeer("developer1", server.Network.FreeDeveloperIp, TestNetwork.DeveloperCidrId)));
        var refused = store.Version;

        Assert.Equal(versions.Order(), versions);
        Assert.Equal(versions.Count, versions.Distinct().Count());
        Assert.Equal(versions[^1], unchanged);
        Assert.Equal(unchanged, refused);
    }

    [Fact]
    public async Task StateForCidr_IsTheStateOfEveryPeerInThatCidr()
    {
        await using var server = await ApiServer.StartAsync();

        var forCidr = server.Store.GetStateForCidr(TestNetwork.DeveloperCidrId);

        foreach (long peerId in new[] { TestNetwork.Developer1Id, TestNetwork.Developer2Id })
        {
            var forPeer = server.Store.GetState(peerId);
            Assert.Equal(forPeer.Peers, forCidr.Peers);
            Assert.Equal(forPeer.Cidrs, forCidr.Cidrs);
        }
    }
}
