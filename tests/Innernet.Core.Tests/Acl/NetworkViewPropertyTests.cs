using Innernet.Core.Acl;
using Innernet.Core.Model;

namespace Innernet.Core.Tests.Acl;

/// <summary>
/// NetworkView against <c>Reference</c>, a brute-force reading of innernet's visibility rule (<c>get_all_allowed_peers</c>),
/// on random networks (fixed seeds).
/// </summary>
public sealed class NetworkViewPropertyTests
{
    private static readonly IPNetwork AnyNetwork = IPNetwork.Parse("10.0.0.0/8");

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void GetVisiblePeers_RandomNetworks_MatchesReference(int seed)
    {
        var random = new Random(seed);
        for (int round = 0; round < 1000; round++)
        {
            var (cidrs, peers, associations) = RandomNetwork(random);
            var view = new NetworkView(cidrs, peers, associations);
            foreach (var peer in peers)
            {
                var expected = Reference(cidrs, peers, associations, peer).Select(p => p.Id).Order().ToList();
                var actual = view.GetVisiblePeers(peer.Id).Select(p => p.Id).ToList();
                Assert.True(
                    expected.SequenceEqual(actual),
                    $"seed {seed} round {round} peer {peer.Id}: expected [{string.Join(",", expected)}], got [{string.Join(",", actual)}]");
            }
        }
    }

    /// <summary>The spec text, read literally, with no indexes: O(peers × depth × associations).</summary>
    private static List<Peer> Reference(List<Cidr> cidrs, List<Peer> peers, List<Association> associations, Peer requester)
    {
        long own = requester.CidrId;

        // "the requesting CIDR together with all of its ancestors, up to the root"
        var parentOf = new List<long> { own };
        for (long? p = cidrs.Single(c => c.Id == own).Parent; p is not null; p = cidrs.Single(c => c.Id == p).Parent)
        {
            parentOf.Add(p.Value);
        }

        // "every CIDR on the other side of an association with any CIDR in parent_of"
        var associated = associations.Where(a => parentOf.Contains(a.CidrId1)).Select(a => a.CidrId2)
            .Concat(associations.Where(a => parentOf.Contains(a.CidrId2)).Select(a => a.CidrId1))
            .ToList();
        var seeds = new List<long> { own, Cidr.InfraId };
        seeds.AddRange(associated);

        // "closed recursively over children": a CIDR qualifies if it or any ancestor is a seed.
        bool InSubtreeOfSeed(long cidrId)
        {
            for (long? id = cidrId; id is not null; id = cidrs.Single(c => c.Id == id).Parent)
            {
                if (seeds.Contains(id.Value))
                {
                    return true;
                }
            }

            return false;
        }

        return peers.Where(p => !p.IsDisabled && p.IsRedeemed && InSubtreeOfSeed(p.CidrId)).ToList();
    }

    private static (List<Cidr>, List<Peer>, List<Association>) RandomNetwork(Random random)
    {
        int cidrCount = random.Next(2, 25);

        // Ids 1 (root) and 2 (infra) are fixed; the rest get shuffled ids so parents may have larger ids.
        var ids = Enumerable.Range(3, cidrCount - 2).Select(i => (long)i).OrderBy(_ => random.Next()).ToList();
        var cidrs = new List<Cidr> { new(1, "root", AnyNetwork, null), new(2, "infra", AnyNetwork, 1) };
        foreach (long id in ids)
        {
            long parent = cidrs[random.Next(cidrs.Count)].Id;
            cidrs.Add(new Cidr(id, $"c{id}", AnyNetwork, parent));
        }

        var associations = new List<Association>();
        int associationCount = random.Next(0, 6);
        for (int i = 0; i < associationCount; i++)
        {
            long a = cidrs[random.Next(cidrs.Count)].Id;
            long b = cidrs[random.Next(cidrs.Count)].Id;
            if (a != b && !associations.Any(x => x.Links(a, b)))
            {
                associations.Add(new Association(i + 1, a, b));
            }
        }

        var peers = new List<Peer>();
        int peerCount = random.Next(1, 30);
        for (int i = 1; i <= peerCount; i++)
        {
            peers.Add(Fixtures.MakePeer(
                i,
                $"p{i}",
                $"10.0.{i / 256}.{i % 256}",
                cidrs[random.Next(cidrs.Count)].Id,
                isDisabled: random.Next(5) == 0,
                isRedeemed: random.Next(5) != 0));
        }

        return (cidrs, peers, associations);
    }
}
