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

    [Fact]
    public void PowerCutAtRandomPoints_ReopenedStoreHoldsEveryAcknowledgedWriteAndNothingTorn()
    {
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        int inFlightKept = 0, inFlightLost = 0;
        // Runs are independent (a disk and a store each); two at a time halve the wall time on a 2-core machine.
        Parallel.For(0, CrashPoints, new ParallelOptions { MaxDegreeOfParallelism = 2 }, (run, loop) =>
        {
            var mode = (CrashMode)(run % 3);
            int seed = HashCode.Combine(run, 0x5eed);
            try
            {
                switch (RunOnce(seed, mode, writeAfterRecovery: run % WriteAfterRecoveryEvery == 0))
                {
                    case Outcome.InFlightKept:
                        Interlocked.Increment(ref inFlightKept);
                        break;
                    case Outcome.InFlightLost:
                        Interlocked.Increment(ref inFlightLost);
                        break;
                }
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
        // Both outcomes of an interrupted write occur, so the cut really lands inside commits.
        Assert.True(inFlightKept > 0 && inFlightLost > 0, $"in-flight writes kept {inFlightKept}, lost {inFlightLost}");
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
            var address = team.Network.BaseAddress.GetAddressBytes();
            address[3] = (byte)(used + 1);
            var peer = new Peer
            {
                Id = LastPeerId + 1,
                Name = $"peer-{LastPeerId + 1}",
                Ip = new IPAddress(address),
                CidrId = team.Id,
                PublicKey = RandomKey(),
                PersistentKeepaliveInterval = 25,
                IsRedeemed = true,
                Candidates = Endpoints(random.Next(3)),
            };
            var contents = NewPeer(peer.Name, peer.Ip.ToString(), peer.CidrId, peer.PublicKey, candidates: peer.Candidates);
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
