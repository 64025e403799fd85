using System.Collections.Concurrent;
using Innernet.Core.Model;
using Innernet.Core.Persistence;
using static Innernet.Core.Tests.Persistence.StoreTestSupport;

namespace Innernet.Core.Tests.Persistence;

public abstract partial class ServerStoreTests
{
    private const int Racers = 50;

    [Fact]
    public void AddPeer_50ThreadsSameName_ExactlyOneWins()
    {
        using var store = NewStore();
        var humans = AddHumans(store);

        var outcomes = Race(i => store.AddPeer(NewPeer("laptop", $"10.42.1.{i + 1}", humans.Id)));

        Assert.Single(outcomes.Successes);
        Assert.All(outcomes.Failures, e => Assert.Contains("peer named 'laptop' already exists", e.Message, StringComparison.Ordinal));
        Assert.Equal(2, store.ListPeers().Count);
    }

    [Fact]
    public void AddPeer_50ThreadsSameIp_ExactlyOneWins()
    {
        using var store = NewStore();
        var humans = AddHumans(store);

        var outcomes = Race(i => store.AddPeer(NewPeer($"peer-{i}", "10.42.1.1", humans.Id)));

        Assert.Single(outcomes.Successes);
        Assert.All(outcomes.Failures, e => Assert.IsType<ValidationException>(e));
        Assert.Single(store.ListPeers(), p => p.Ip.Equals(IPAddress.Parse("10.42.1.1")));
    }

    [Fact]
    public void AddPeer_50ThreadsSameKey_ExactlyOneWins()
    {
        using var store = NewStore();
        var humans = AddHumans(store);

        var outcomes = Race(i => store.AddPeer(NewPeer($"peer-{i}", $"10.42.1.{i + 1}", humans.Id, key: Key(7))));

        Assert.Single(outcomes.Successes);
        Assert.All(outcomes.Failures, e => Assert.IsType<ValidationException>(e));
    }

    [Fact]
    public void AddPeer_50ThreadsDistinctPeersOnAFile_AllSucceedWithSequentialIdsAndPersist()
    {
        var database = NewDatabase();
        IReadOnlyList<Peer> peers;
        using (var store = database.Create(Network))
        {
            var humans = AddHumans(store);

            var outcomes = Race(i => store.AddPeer(NewPeer($"peer-{i}", $"10.42.1.{i + 1}", humans.Id)));

            Assert.Empty(outcomes.Failures);
            Assert.Equal(Enumerable.Range(2, Racers).Select(i => (long)i), outcomes.Successes.Select(p => p.Id).Order());
            peers = store.ListPeers();
        }

        using var reopened = database.Open();
        Assert.Equal(peers, reopened.ListPeers());
        Assert.Equal(Racers + 1, reopened.ListPeers().Select(p => p.Ip).Distinct().Count());
    }

    [Fact]
    public void AddPeer_50ThreadsTakingTheFirstFreeIp_NeverDuplicateAnIp()
    {
        using var store = NewStore();
        var humans = AddHumans(store);

        // Each thread allocates, then inserts; a thread that lost the IP to another retries, as a CLI would.
        var outcomes = Race(i =>
        {
            while (true)
            {
                try
                {
                    return store.AddPeer(NewPeer($"peer-{i}", store.FindFreeIp(humans.Id).ToString(), humans.Id));
                }
                catch (ValidationException e) when (e.Message.Contains("already used", StringComparison.Ordinal))
                {
                }
            }
        });

        Assert.Equal(Racers, outcomes.Successes.Count);
        Assert.Equal(Racers, outcomes.Successes.Select(p => p.Ip).Distinct().Count());
    }

    [Fact]
    public void Redeem_50ThreadsOneInvitation_ExactlyOneWinnerOthersGone()
    {
        using var store = NewStore();
        var invite = store.AddPeer(NewPeer("laptop", "10.42.1.1", AddHumans(store).Id, key: Key(1), isRedeemed: false));
        var now = DateTimeOffset.UtcNow;

        var outcomes = Race(i => store.Redeem(invite.Id, Key(100 + i), now));

        var winner = Assert.Single(outcomes.Successes);
        Assert.Equal(Key(1), winner.Before.PublicKey);
        Assert.All(outcomes.Failures, e => Assert.IsType<GoneException>(e));
        Assert.Equal(winner.After, store.GetPeer(invite.Id));
    }

    [Fact]
    public void Redeem_50InvitationsWithTheSameNewKey_ExactlyOneGetsIt()
    {
        using var store = NewStore();
        var humans = AddHumans(store);
        var invites = Enumerable.Range(0, Racers)
            .Select(i => store.AddPeer(NewPeer($"peer-{i}", $"10.42.1.{i + 1}", humans.Id, isRedeemed: false)))
            .ToArray();
        var now = DateTimeOffset.UtcNow;

        var outcomes = Race(i => store.Redeem(invites[i].Id, Key(7), now));

        Assert.Single(outcomes.Successes);
        Assert.All(outcomes.Failures, e => Assert.IsType<ValidationException>(e));
        Assert.Single(store.ListPeers(), p => p.PublicKey == Key(7));
    }

    [Fact]
    public async Task Readers_DuringConcurrentWrites_AlwaysSeeAConsistentSnapshot()
    {
        using var store = NewStore();
        var humans = AddHumans(store);
        using var done = new CancellationTokenSource();
        var problems = new ConcurrentQueue<string>();

        var reader = Task.Factory.StartNew(
            () =>
            {
                while (!done.IsCancellationRequested)
                {
                    var peers = store.ListPeers();
                    var ids = peers.Select(p => p.Id).ToList();
                    if (ids.Distinct().Count() != ids.Count || !ids.SequenceEqual(ids.Order()))
                    {
                        problems.Enqueue("peer list not in strict id order");
                    }

                    foreach (var peer in peers)
                    {
                        if (store.GetPeer(peer.Id) is null && !peer.Name.StartsWith("peer-", StringComparison.Ordinal))
                        {
                            problems.Enqueue($"peer {peer.Id} vanished");
                        }
                    }

                    store.GetVisiblePeers(1);
                }
            },
            TaskCreationOptions.LongRunning);

        var outcomes = Race(i => store.AddPeer(NewPeer($"peer-{i}", $"10.42.1.{i + 1}", humans.Id)));
        done.Cancel();
        await reader.WaitAsync(TestContext.Current.CancellationToken);

        Assert.Empty(problems);
        Assert.Equal(Racers, outcomes.Successes.Count);
        Assert.Equal(Racers + 1, store.ListPeers().Count);
    }

    /// <summary>Runs <paramref name="action"/> on <see cref="Racers"/> dedicated threads released together by a barrier.</summary>
    private static (IReadOnlyList<T> Successes, IReadOnlyList<InnernetException> Failures) Race<T>(Func<int, T> action)
    {
        var successes = new ConcurrentBag<T>();
        var failures = new ConcurrentBag<InnernetException>();
        var unexpected = new ConcurrentBag<Exception>();
        using var barrier = new Barrier(Racers);
        var threads = Enumerable.Range(0, Racers).Select(i => new Thread(() =>
        {
            barrier.SignalAndWait();
            try
            {
                successes.Add(action(i));
            }
            catch (InnernetException e)
            {
                failures.Add(e);
            }
            catch (Exception e)
            {
                unexpected.Add(e);
            }
        })).ToList();

        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.Empty(unexpected);
        Assert.Equal(Racers, successes.Count + failures.Count);
        return ([.. successes], [.. failures]);
    }
}
