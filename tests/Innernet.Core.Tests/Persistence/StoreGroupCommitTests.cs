using System.Text;
using Innernet.Core.Model;
using Innernet.Core.Persistence;
using Innernet.Testing;
using static Innernet.Core.Tests.Persistence.StoreTestSupport;

namespace Innernet.Core.Tests.Persistence;

/// <summary>
/// Group commit: writers that arrive while a commit is syncing share the next transaction and its syncs, each
/// validated against the state the writes ahead of it leave, each failing alone. The first writer is held inside
/// its sync (the <see cref="SimulatedFile"/> flush) until every other writer is blocked in the store, so the
/// batch is certain; the syncs are counted on the same file.
/// </summary>
public sealed class StoreGroupCommitTests
{
    private const int Writers = 16;
    private const string Poison = "poison-peer";

    [Fact]
    public async Task ConcurrentWriters_CompleteWithFewerSyncsThanWriters_AndPersist()
    {
        var (data, log, store, humans) = NewStoreOnSimulatedDisk();
        int syncsBefore = log.Flushes;
        long versionBefore = store.Version;

        var outcomes = await HeldBehindOneCommit(log, Writers, i => store.AddPeer(NewPeer($"peer-{i}", $"10.42.1.{i + 1}", humans.Id)));

        int syncs = log.Flushes - syncsBefore;
        Assert.All(outcomes, o => Assert.Null(o.Error));
        Assert.True(syncs < Writers, $"{Writers} concurrent writes took {syncs} log syncs");
        Assert.Equal(versionBefore + Writers, store.Version);
        var expected = Enumerable.Range(0, Writers).Select(i => $"peer-{i}").Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expected, store.ListPeers().Skip(1).Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(outcomes.Select(o => o.Value!.Id).Order(), store.ListPeers().Skip(1).Select(p => p.Id));
        store.Dispose();

        using var reopened = ServerStore.Open(data, log);
        Assert.Equal(outcomes.Select(o => o.Value!).OrderBy(p => p.Id), reopened.ListPeers().Skip(1));
    }

    [Fact]
    public async Task RefusedWritesInABatch_FailAlone_AndAreJudgedAgainstTheWritesAheadOfThem()
    {
        var (data, log, store, humans) = NewStoreOnSimulatedDisk();
        var alice = store.AddPeer(NewPeer("alice", "10.42.1.200", humans.Id));
        int syncsBefore = log.Flushes;

        // 0-5 valid; 6 takes a committed name; 7 and 8 want the same new name (only the first in the batch gets it);
        // 9 changes a peer that does not exist; 10 changes alice.
        var outcomes = await HeldBehindOneCommit<object>(log, 11, i => i switch
        {
            < 6 => store.AddPeer(NewPeer($"peer-{i}", $"10.42.1.{i + 1}", humans.Id)),
            6 => store.AddPeer(NewPeer("alice", "10.42.1.50", humans.Id)),
            7 or 8 => store.AddPeer(NewPeer("twin", $"10.42.1.{60 + i}", humans.Id)),
            9 => store.SetDisabled(999, true),
            _ => store.SetCandidates(alice.Id, Endpoints(2)),
        });

        Assert.True(log.Flushes - syncsBefore < outcomes.Length, $"{outcomes.Length} writes took {log.Flushes - syncsBefore} syncs");
        Assert.All(outcomes.Take(6), o => Assert.Null(o.Error));
        Assert.Contains("A peer named 'alice' already exists", Assert.IsType<ValidationException>(outcomes[6].Error).Message,
            StringComparison.Ordinal);
        var twins = outcomes.Skip(7).Take(2).ToArray();
        Assert.Single(twins, o => o.Error is null);
        Assert.Contains("A peer named 'twin' already exists",
            Assert.IsType<ValidationException>(twins.Single(o => o.Error is not null).Error).Message,
            StringComparison.Ordinal);
        Assert.IsType<NotFoundException>(outcomes[9].Error);
        Assert.Null(outcomes[10].Error);

        var expectedNames = new[] { "alice", "peer-0", "peer-1", "peer-2", "peer-3", "peer-4", "peer-5", "twin" };
        Assert.Equal(expectedNames, store.ListPeers().Skip(1).Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(Endpoints(2), store.GetPeer(alice.Id)!.Candidates);
        var committed = store.ListPeers();
        store.Dispose();

        using var reopened = ServerStore.Open(data, log);
        Assert.Equal(committed, reopened.ListPeers());
    }

    [Fact]
    public async Task FailedCommitOfABatch_AcknowledgesNoneOfIt_ShowsNoneOfIt_AndStopsLaterWrites()
    {
        var (data, log, store, humans) = NewStoreOnSimulatedDisk();
        // The log write carrying the poison peer's row fails, with an error LiteDB does not close the file for.
        byte[] marker = Encoding.UTF8.GetBytes(Poison);
        log.BeforeWrite = bytes =>
        {
            if (bytes.AsSpan().IndexOf(marker) >= 0)
            {
                throw new NotSupportedException("Injected log write failure.");
            }
        };

        var outcomes = await HeldBehindOneCommit(log, 8,
            i => store.AddPeer(NewPeer(i == 4 ? Poison : $"peer-{i}", $"10.42.1.{i + 1}", humans.Id)));

        log.BeforeWrite = null;
        Assert.Null(outcomes[0].Error);
        Assert.All(outcomes.Skip(1), o => Assert.NotNull(o.Error));
        Assert.Equal(["innernet-server", "peer-0"], store.ListPeers().Select(p => p.Name));
        var later = Assert.Throws<StoreException>(() => store.AddPeer(NewPeer("later", "10.42.1.99", humans.Id)));
        Assert.Contains("are stopped", later.Message, StringComparison.Ordinal);
        store.Dispose();
        // LiteDB's half-failed transaction throws from its finalizer, which would end this process.
        GC.Collect();
        GC.WaitForPendingFinalizers();

        using var reopened = ServerStore.Open(data, log);
        Assert.Equal([Peer.ServerId, outcomes[0].Value!.Id], reopened.ListPeers().Select(p => p.Id));
        Assert.Equal(outcomes[0].Value, reopened.ListPeers()[^1]);
        Assert.Equal(outcomes[0].Value!.Id + 1, reopened.AddPeer(NewPeer("after", "10.42.1.100", humans.Id)).Id);
    }

    [Fact]
    public async Task SequentialWrites_AreCheckpointedWhileTheWriterIsIdle_NotInsideOneOfThem()
    {
        // LiteDB's own checkpoint waits for 1,000 log pages and runs inside the commit that crosses it; the store's runs
        // after 200, when no write waits: between two sequential writes.
        const long PageSize = 8192;
        var (data, log, store, humans) = NewStoreOnSimulatedDisk();
        var added = new List<Peer>();
        long longestLog = 0;
        for (int i = 0; i < 250; i++)
        {
            added.Add(store.AddPeer(NewPeer($"peer-{i}", $"10.42.1.{i + 1}", humans.Id)));
            longestLog = Math.Max(longestLog, log.Length);
        }

        Assert.True(longestLog < 400 * PageSize, $"the log grew to {longestLog / PageSize} pages");
        await Eventually.TrueAsync(() => log.Length < 200 * PageSize, "the idle writer to checkpoint the log");
        store.Dispose();

        using var reopened = ServerStore.Open(data, log);
        Assert.Equal(added, reopened.ListPeers().Skip(1));
    }

    private static (SimulatedFile Data, SimulatedFile Log, ServerStore Store, Cidr Humans) NewStoreOnSimulatedDisk()
    {
        var disk = new SimulatedDisk();
        var data = disk.NewFile();
        var log = disk.NewFile();
        var store = ServerStore.Create(data, log, Network);
        return (data, log, store, AddHumans(store));
    }

    /// <summary>
    /// Runs <paramref name="count"/> writes on threads of their own: write 0 first, held inside the first log sync it
    /// reaches until every other writer is blocked in the store, so the others queue behind one commit.
    /// </summary>
    private static async Task<(T? Value, Exception? Error)[]> HeldBehindOneCommit<T>(SimulatedFile log, int count, Func<int, T> write)
    {
        using var held = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        int armed = 1;
        log.BeforeFlush = () =>
        {
            if (Interlocked.Exchange(ref armed, 0) == 1)
            {
                held.Set();
                release.Wait();
            }
        };
        var outcomes = new (T? Value, Exception? Error)[count];
        var threads = Enumerable.Range(0, count).Select(i => new Thread(() =>
        {
            try
            {
                outcomes[i] = (write(i), null);
            }
            catch (Exception e)
            {
                outcomes[i] = (default, e);
            }
        })).ToArray();
        try
        {
            threads[0].Start();
            Assert.True(held.Wait(TimeSpan.FromSeconds(10)), "the first write never reached a log sync");
            foreach (var thread in threads.Skip(1))
            {
                thread.Start();
            }

            await Eventually.TrueAsync(
                () => threads.Skip(1).All(t => (t.ThreadState & ThreadState.WaitSleepJoin) != 0),
                    "every other writer to wait for the store");
        }
        finally
        {
            release.Set();
            foreach (var thread in threads.Where(t => t.ThreadState != ThreadState.Unstarted))
            {
                thread.Join();
            }

            log.BeforeFlush = null;
        }

        return outcomes;
    }
}
