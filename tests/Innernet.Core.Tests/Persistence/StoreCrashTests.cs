using Innernet.Core.Model;
using Innernet.Core.Persistence;
using static Innernet.Core.Tests.Persistence.StoreTestSupport;

namespace Innernet.Core.Tests.Persistence;

/// <summary>
/// Simulated power cuts: a store on a <see cref="SimulatedDisk"/> runs a random workload (CIDRs, peers, flags,
/// candidates, associations, clean close and reopen) until the power goes at a random disk operation; the files
/// as a reboot finds them (unflushed operations lost, applied in order up to a torn write, or sector by sector at
/// random) must open and hold exactly every write that returned, plus at most the one in flight — whole or not
/// at all — and must take new writes afterwards. The expected state is built by the test from the operations it
/// issued, not read from the store.
/// </summary>
public sealed class StoreCrashTests
{
    private const int CrashPoints = 1_050;
    private const int MaxOperationsPerRun = 120;
    private const int MaxDiskOperationsBeforeCut = 250;

    /// <summary>Every n-th run also writes after the recovery and reopens once more (an open costs as much as a short run).</summary>
    private const int WriteAfterRecoveryEvery = 4;

    private const int ConcurrentCrashPoints = 1_000;
    private const int ConcurrentWriters = 3;
    private const int MaxOperationsPerWriter = 40;

    private const int AuditedCrashPoints = 300;
    private const int MaxAuditedWrites = 40;

    [Fact]
    public void PowerCutAtRandomPoints_ReopenedStoreHoldsEveryAcknowledgedWriteAndNothingTorn()
    {
        int inFlightKept = 0, inFlightLost = 0;
        RunPowerCuts(CrashPoints, 0x5eed, (seed, mode, writeAfterRecovery) =>
        {
            switch (RunOnce(seed, mode, writeAfterRecovery))
            {
                case Outcome.InFlightKept:
                    Interlocked.Increment(ref inFlightKept);
                    break;
                case Outcome.InFlightLost:
                    Interlocked.Increment(ref inFlightLost);
                    break;
            }
        });

        // Both outcomes of an interrupted write occur, so the cut really lands inside commits.
        Assert.True(inFlightKept > 0 && inFlightLost > 0, $"in-flight writes kept {inFlightKept}, lost {inFlightLost}");
    }

    /// <summary>
    /// The same power cuts under concurrent writers, whose writes share transactions (group commit): each writer owns a
    /// CIDR and its peers, so the test knows what each one's returned writes must have left, whatever the interleaving.
    /// After the cut every returned write is there; of each writer's one failed write (in flight when the power went, or
    /// refused because the store stopped), its whole change or nothing; nothing else.
    /// </summary>
    [Fact]
    public void PowerCutUnderConcurrentWriters_EveryReturnedWriteSurvivesAndNothingIsTorn()
    {
        int inFlightKept = 0, inFlightLost = 0;
        long writes = 0, syncs = 0;
        RunPowerCuts(ConcurrentCrashPoints, 0xc0ffee, (seed, mode, writeAfterRecovery) =>
        {
            var result = RunConcurrentOnce(seed, mode, writeAfterRecovery);
            Interlocked.Add(ref inFlightKept, result.Kept);
            Interlocked.Add(ref inFlightLost, result.Lost);
            Interlocked.Add(ref writes, result.Writes);
            Interlocked.Add(ref syncs, result.Syncs);
        });

        Assert.True(inFlightKept > 0 && inFlightLost > 0, $"in-flight writes kept {inFlightKept}, lost {inFlightLost}");
        // One commit alone costs two log syncs: fewer means writers shared commits, so the cuts landed in shared ones too.
        Assert.True(syncs < 2 * writes, $"{writes} writes took {syncs} log syncs: the writers never shared a commit");
    }

    /// <summary>
    /// Power cuts during admin writes made inside an <see cref="AuditScope"/> (what the API's audit middleware does): after
    /// the cut every returned write is there with its audit entry, the one in flight with its entry or neither, and no
    /// entry without its change or change without its entry (they share one commit).
    /// </summary>
    [Fact]
    public void PowerCutDuringAuditedWrites_ChangeAndAuditEntryAreKeptTogether()
    {
        int inFlightKept = 0, inFlightLost = 0;
        RunPowerCuts(AuditedCrashPoints, 0xa0d1, (seed, mode, _) =>
        {
            var random = new Random(seed);
            var disk = new SimulatedDisk();
            var data = disk.NewFile();
            var log = disk.NewFile();
            var store = ServerStore.Create(data, log, Network);
            disk.CutPowerAfter(random.Next(MaxDiskOperationsBeforeCut));
            var acknowledged = new List<string>();
            string? inFlight = null;
            for (int i = 1; i <= MaxAuditedWrites && !disk.IsPoweredOff; i++)
            {
                string name = $"team-{i}";
                try
                {
                    using (AuditScope.Begin(DateTimeOffset.UnixEpoch, "local admin", "test", $"POST {name}", 201))
                    {
                        store.AddCidr(new CidrContents(name, IPNetwork.Parse($"10.42.{i}.0/24"), Cidr.RootId));
                    }

                    acknowledged.Add(name);
                }
                catch (Exception) when (disk.IsPoweredOff)
                {
                    inFlight = name;
                }
            }

            try
            {
                store.Dispose();
            }
            catch (IOException) when (disk.IsPoweredOff)
            {
                // The machine is off.
            }

            var rebooted = new SimulatedDisk();
            using var reopened = ServerStore.Open(data.AfterPowerCut(rebooted, mode, random), log.AfterPowerCut(rebooted, mode, random));
            var changes = reopened.ListCidrs().Where(c => c.Id > Cidr.InfraId).Select(c => c.Name).ToList();
            var entries = reopened.ListAudit(null).Select(e => e.Action["POST ".Length..]).ToList();
            Assert.Equal(changes, entries);
            if (inFlight is not null && changes.Count == acknowledged.Count + 1)
            {
                Assert.Equal([.. acknowledged, inFlight], changes);
                Interlocked.Increment(ref inFlightKept);
            }
            else
            {
                Assert.Equal(acknowledged, changes);
                if (inFlight is not null)
                {
                    Interlocked.Increment(ref inFlightLost);
                }
            }
        });

        Assert.True(inFlightKept > 0 && inFlightLost > 0, $"in-flight writes kept {inFlightKept}, lost {inFlightLost}");
    }

    private static (int Kept, int Lost, long Writes, long Syncs) RunConcurrentOnce(int seed, CrashMode mode, bool writeAfterRecovery)
    {
        var random = new Random(seed);
        var disk = new SimulatedDisk();
        var data = disk.NewFile();
        var log = disk.NewFile();
        var store = ServerStore.Create(data, log, Network);
        var writers = Enumerable.Range(0, ConcurrentWriters)
            .Select(w => new TeamWriter(
                store.AddCidr(new CidrContents($"team-{w}", IPNetwork.Parse($"10.42.{10 + w}.0/24"), Cidr.RootId)),
                    new Random(seed + w + 1)))
            .ToArray();
        var cidrs = store.ListCidrs();
        int syncsBefore = log.Flushes;
        disk.CutPowerAfter(random.Next(MaxDiskOperationsBeforeCut));
        // A sync gives the other writers a chance to queue behind it, as a real one (which sleeps) does.
        log.BeforeFlush = () => _ = Thread.Yield();
        var threads = writers.Select(w => new Thread(() => w.Run(store, disk))).ToArray();
        foreach (var thread in threads)
        {
            thread.Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        int syncs = log.Flushes - syncsBefore;
        try
        {
            store.Dispose();
        }
        catch (IOException) when (disk.IsPoweredOff)
        {
            // The machine is off; nothing more reaches the disk.
        }

        if (writers.FirstOrDefault(w => w.Unexpected is not null) is { } broken)
        {
            throw new InvalidOperationException($"writer of {broken.Team.Name} failed with the power on", broken.Unexpected);
        }

        var rebooted = new SimulatedDisk();
        var data2 = data.AfterPowerCut(rebooted, mode, random);
        var log2 = log.AfterPowerCut(rebooted, mode, random);
        int kept = 0, lost = 0;
        IReadOnlyList<Peer> found;
        using (var reopened = ServerStore.Open(data2, log2))
        {
            Assert.Equal(cidrs, reopened.ListCidrs());
            found = reopened.ListPeers();
            Assert.Equal(Peer.ServerId, found[0].Id);
            Assert.Equal(found.Count, found.Select(p => p.Id).Distinct().Count());
            foreach (var writer in writers)
            {
                switch (writer.Check(found.Where(p => p.CidrId == writer.Team.Id).ToList()))
                {
                    case Outcome.InFlightKept:
                        kept++;
                        break;
                    case Outcome.InFlightLost:
                        lost++;
                        break;
                }
            }

            Assert.Equal(found.Count - 1, writers.Sum(w => found.Count(p => p.CidrId == w.Team.Id)));
            if (writeAfterRecovery)
            {
                var after = reopened.AddPeer(NewPeer("after-recovery", "10.42.10.250", writers[0].Team.Id));
                found = [.. found, after];
            }
        }

        if (writeAfterRecovery)
        {
            using var again = ServerStore.Open(data2, log2);
            Assert.Equal(found, again.ListPeers());
        }

        return (kept, lost, writers.Sum(w => w.Writes), syncs);
    }

    /// <summary>One concurrent writer: adds peers to its own CIDR and changes them; knows what its returned writes left.</summary>
    private sealed class TeamWriter(Cidr team, Random random)
    {
        private readonly Dictionary<string, Peer> _acknowledged = new(StringComparer.Ordinal);
        private (Peer? Before, Peer After)? _inFlight;

        public Cidr Team => team;

        public int Writes { get; private set; }

        public Exception? Unexpected { get; private set; }

        public void Run(ServerStore store, SimulatedDisk disk)
        {
            try
            {
                for (int i = 0; i < MaxOperationsPerWriter && !disk.IsPoweredOff; i++)
                {
                    var (before, after, call) = Next(store);
                    Writes++;
                    try
                    {
                        _acknowledged[after.Name] = after with { Id = call().Id };
                    }
                    catch (Exception) when (disk.IsPoweredOff)
                    {
                        _inFlight = (before, after);
                        return;
                    }
                }
            }
            catch (Exception e)
            {
                Unexpected = e;
            }
        }

        /// <summary>Checks this writer's peers as the reboot found them.</summary>
        public Outcome Check(List<Peer> found)
        {
            var outcome = Outcome.NothingInFlight;
            var byName = found.ToDictionary(p => p.Name, StringComparer.Ordinal);
            if (_inFlight is var (before, after))
            {
                byName.TryGetValue(after.Name, out var now);
                if (now is not null && now with { Id = 0 } == after with { Id = 0 } && (before is null || now.Id == before.Id))
                {
                    outcome = Outcome.InFlightKept;
                    _acknowledged[after.Name] = now;
                }
                else
                {
                    Assert.Equal(before, now);
                    outcome = Outcome.InFlightLost;
                }
            }

            Assert.Equal(_acknowledged.Values.OrderBy(p => p.Id), found);
            return outcome;
        }

        private (Peer? Before, Peer After, Func<Peer> Call) Next(ServerStore store)
        {
            var mine = _acknowledged.Values.ToList();
            int pick = random.Next(100);
            if (mine.Count == 0 || pick < 50)
            {
                int n = _acknowledged.Count + 1;
                var (peer, contents) = NewTeamPeer(id: 0 /* handed out by the store */, $"{team.Name}-{n}", team, n, random);
                return (null, peer, () => store.AddPeer(contents));
            }

            var old = mine[random.Next(mine.Count)];
            if (pick < 75)
            {
                var disabled = old with { IsDisabled = !old.IsDisabled };
                return (old, disabled, () => store.SetDisabled(old.Id, disabled.IsDisabled));
            }

            var changed = old with { Candidates = Endpoints(random.Next(4)) };
            return (old, changed, () => store.SetCandidates(old.Id, changed.Candidates));
        }
    }

    /// <summary>
    /// Runs <paramref name="runOnce"/>(seed, crash mode, write after recovery) <paramref name="runs"/> times and fails
    /// with the first few failing runs. Runs are independent (a disk and a store each); two at a time halve the wall
    /// time on a 2-core machine.
    /// </summary>
    private static void RunPowerCuts(int runs, int seedSalt, Action<int, CrashMode, bool> runOnce)
    {
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        Parallel.For(0, runs, new ParallelOptions { MaxDegreeOfParallelism = 2 }, (run, loop) =>
        {
            var mode = (CrashMode)(run % 3);
            int seed = HashCode.Combine(run, seedSalt);
            try
            {
                runOnce(seed, mode, run % WriteAfterRecoveryEvery == 0);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                failures.Enqueue($"run {run} (seed {seed}, {mode}): {e.GetType().Name}: {e.Message}");
                if (failures.Count >= 5)
                {
                    loop.Stop();
                }
            }
        });

        Assert.True(failures.IsEmpty, string.Join("\n", failures));
    }

    /// <summary>A redeemed peer with host number <paramref name="host"/> in <paramref name="team"/>: as expected, and what to
    /// add.</summary>
    private static (Peer Expected, PeerContents Contents) NewTeamPeer(long id, string name, Cidr team, int host, Random random)
    {
        var address = team.Network.BaseAddress.GetAddressBytes();
        address[3] = (byte)host;
        var peer = new Peer
        {
            Id = id,
            Name = name,
            Ip = new IPAddress(address),
            CidrId = team.Id,
            PublicKey = RandomKey(),
            PersistentKeepaliveInterval = 25,
            IsRedeemed = true,
            Candidates = Endpoints(random.Next(3)),
        };
        return (peer, NewPeer(peer.Name, peer.Ip.ToString(), peer.CidrId, peer.PublicKey, candidates: peer.Candidates));
    }

    private enum Outcome
    {
        NothingInFlight,
        InFlightKept,
        InFlightLost,
    }

    private static Outcome RunOnce(int seed, CrashMode mode, bool writeAfterRecovery)
    {
        var random = new Random(seed);
        var disk = new SimulatedDisk();
        var data = disk.NewFile();
        var log = disk.NewFile();
        var model = new ExpectedState();
        var store = ServerStore.Create(data, log, Network);
        disk.CutPowerAfter(random.Next(MaxDiskOperationsBeforeCut));

        ExpectedState? inFlight = null;
        for (int i = 0; i < MaxOperationsPerRun && !disk.IsPoweredOff; i++)
        {
            var (next, apply) = model.NextOperation(random);
            try
            {
                store = apply(store, data, log);
                model = next;
            }
            catch (Exception) when (disk.IsPoweredOff)
            {
                inFlight = next;
            }
        }

        try
        {
            store.Dispose();
        }
        catch (IOException) when (disk.IsPoweredOff)
        {
            // The machine is off; nothing more reaches the disk.
        }

        var rebooted = new SimulatedDisk();
        var data2 = data.AfterPowerCut(rebooted, mode, random);
        var log2 = log.AfterPowerCut(rebooted, mode, random);
        var outcome = Outcome.NothingInFlight;
        using (var reopened = ServerStore.Open(data2, log2))
        {
            var found = ExpectedState.Read(reopened);
            if (inFlight is not null && found.SameAs(inFlight) && !inFlight.SameAs(model))
            {
                model = inFlight;
                outcome = Outcome.InFlightKept;
            }
            else if (inFlight is not null && !inFlight.SameAs(model))
            {
                outcome = Outcome.InFlightLost;
            }

            model.AssertSameAs(found);
            if (!writeAfterRecovery)
            {
                return outcome;
            }

            var (next, apply) = model.AddPeerOperation(random);
            apply(reopened, data2, log2).Dispose();
            model = next;
        }

        using var again = ServerStore.Open(data2, log2);
        model.AssertSameAs(ExpectedState.Read(again));
        return outcome;
    }

    /// <summary>What the store must hold, built from the operations the test issued.</summary>
    private sealed record ExpectedState
    {
        private const int TeamCount = 12;

        public IReadOnlyList<Cidr> Cidrs { get; init; } =
        [
            new Cidr(Cidr.RootId, "evilcorp", RootRange, null),
            new Cidr(Cidr.InfraId, "innernet-server", IPNetwork.Parse("10.42.0.1/32"), Cidr.RootId),
        ];

        public IReadOnlyList<Peer> Peers { get; init; } =
        [
            new Peer
            {
                Id = Peer.ServerId,
                Name = "innernet-server",
                Ip = ServerIp,
                CidrId = Cidr.InfraId,
                PublicKey = ServerKey,
                Endpoint = ServerEndpoint,
                IsAdmin = true,
                IsRedeemed = true,
                Candidates = [],
            },
        ];

        public IReadOnlyList<Association> Associations { get; init; } = [];

        public long LastCidrId { get; init; } = Cidr.InfraId;

        public long LastPeerId { get; init; } = Peer.ServerId;

        public long LastAssociationId { get; init; }

        public static ExpectedState Read(ServerStore store) => new()
        {
            Cidrs = store.ListCidrs(),
            Peers = store.ListPeers(),
            Associations = store.ListAssociations(),
        };

        public bool SameAs(ExpectedState other)
            => Cidrs.SequenceEqual(other.Cidrs) && Peers.SequenceEqual(other.Peers) && Associations.SequenceEqual(other.Associations);

        public void AssertSameAs(ExpectedState found)
        {
            Assert.Equal(Cidrs, found.Cidrs);
            Assert.Equal(Peers, found.Peers);
            Assert.Equal(Associations, found.Associations);
        }

        /// <summary>A random valid operation: the state after it, and how to run it on a store (which it may replace).</summary>
        public (ExpectedState Next, Func<ServerStore, Stream, Stream, ServerStore> Apply) NextOperation(Random random)
        {
            var teams = Cidrs.Where(c => c.Id > Cidr.InfraId).ToList();
            var peers = Peers.Where(p => p.Id != Peer.ServerId).ToList();
            int pick = random.Next(100);
            if (teams.Count == 0 || (pick < 10 && teams.Count < TeamCount))
            {
                return AddCidrOperation();
            }

            if (pick < 45 || peers.Count == 0)
            {
                return AddPeerOperation(random);
            }

            if (pick < 60)
            {
                var peer = peers[random.Next(peers.Count)];
                var changed = peer with { IsDisabled = !peer.IsDisabled };
                return (WithPeer(changed), (s, _, _) => Keep(s, s.SetDisabled(peer.Id, changed.IsDisabled)));
            }

            if (pick < 75)
            {
                var peer = peers[random.Next(peers.Count)];
                var changed = peer with { Candidates = Endpoints(random.Next(4)) };
                return (WithPeer(changed), (s, _, _) => Keep(s, s.SetCandidates(peer.Id, changed.Candidates)));
            }

            if (pick < 85 && teams.Count >= 2)
            {
                var a = teams[random.Next(teams.Count)];
                var b = teams[random.Next(teams.Count)];
                if (a.Id != b.Id && !Associations.Any(x => x.Links(a.Id, b.Id)))
                {
                    var added = new Association(LastAssociationId + 1, a.Id, b.Id);
                    return (
                        this with { Associations = [.. Associations, added], LastAssociationId = added.Id },
                        (s, _, _) => Keep(s, s.AddAssociation(new AssociationContents(a.Id, b.Id))));
                }
            }

            if (pick < 92 && Associations.Count > 0)
            {
                var removed = Associations[random.Next(Associations.Count)];
                return (
                    this with { Associations = [.. Associations.Where(x => x.Id != removed.Id)] },
                    (s, _, _) =>
                    {
                        s.DeleteAssociation(removed.Id);
                        return s;
                    });
            }

            // A clean close (checkpoint into the data file) and a reopen.
            return (this, (s, data, log) =>
            {
                s.Dispose();
                return ServerStore.Open(data, log);
            });
        }

        public (ExpectedState Next, Func<ServerStore, Stream, Stream, ServerStore> Apply) AddPeerOperation(Random random)
        {
            var teams = Cidrs.Where(c => c.Id > Cidr.InfraId).ToList();
            if (teams.Count == 0)
            {
                return AddCidrOperation();
            }

            var team = teams[random.Next(teams.Count)];
            int used = Peers.Count(p => p.CidrId == team.Id);
            var (peer, contents) = NewTeamPeer(LastPeerId + 1, $"peer-{LastPeerId + 1}", team, used + 1, random);
            return (this with { Peers = [.. Peers, peer], LastPeerId = peer.Id }, (s, _, _) => Keep(s, s.AddPeer(contents)));
        }

        private (ExpectedState Next, Func<ServerStore, Stream, Stream, ServerStore> Apply) AddCidrOperation()
        {
            long id = LastCidrId + 1;
            var cidr = new Cidr(id, $"team-{id}", IPNetwork.Parse($"10.42.{id}.0/24"), Cidr.RootId);
            return (
                this with { Cidrs = [.. Cidrs, cidr], LastCidrId = id },
                (s, _, _) => Keep(s, s.AddCidr(new CidrContents(cidr.Name, cidr.Network, Cidr.RootId))));
        }

        private ExpectedState WithPeer(Peer changed) => this with { Peers = [.. Peers.Select(p => p.Id == changed.Id ? changed : p)] };

        private static ServerStore Keep<T>(ServerStore store, T result)
        {
            GC.KeepAlive(result);
            return store;
        }
    }
}
