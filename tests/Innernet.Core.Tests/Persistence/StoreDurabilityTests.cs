using Innernet.Core.Model;
using Innernet.Core.Persistence;
using static Innernet.Core.Tests.Persistence.StoreTestSupport;

namespace Innernet.Core.Tests.Persistence;

/// <summary>
/// The acknowledgement rule at the store's edge: no write method returns while anything it wrote is only in the
/// OS cache (a <see cref="SimulatedFile"/> counts every write and truncation not yet flushed, and its Flush is
/// the fsync). LiteDB 5.0 on its own returns from a commit with the log pages unflushed.
/// </summary>
public sealed class StoreDurabilityTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    public static TheoryData<string> WriteMethods() =>
    [
        "AddCidr", "RenameCidr", "DeleteCidr", "AddPeer", "UpdatePeer", "SetDisabled", "SetEndpoint", "SetCandidates",
        "SetServerEndpoint", "Redeem", "ReissueInvitation", "DeleteExpiredInvitations", "AddAssociation", "DeleteAssociation",
        "Dispose",
    ];

    [Fact]
    public void CreateAndOpen_ReturnWithNothingUnsynced()
    {
        var disk = new SimulatedDisk();
        var data = disk.NewFile();
        var log = disk.NewFile();

        ServerStore.Create(data, log, Network).Dispose();
        AssertSynced(data, log, "Create and Dispose");
        using var store = ServerStore.Open(data, log);

        AssertSynced(data, log, "Open");
        Assert.Equal(2, store.ListCidrs().Count);
    }

    [Theory]
    [MemberData(nameof(WriteMethods))]
    public void WriteMethod_ReturnsOnlyAfterItsWritesAreSynced(string method)
    {
        var disk = new SimulatedDisk();
        var data = disk.NewFile();
        var log = disk.NewFile();
        var store = ServerStore.Create(data, log, Network);
        var humans = AddHumans(store);
        var robots = AddRobots(store);
        var alice = store.AddPeer(NewPeer("alice", "10.42.1.1", humans.Id));
        var invited = store.AddPeer(NewPeer("invited", "10.42.1.2", humans.Id, isRedeemed: false, inviteExpires: Now.AddDays(1)));
        _ = store.AddPeer(NewPeer("expired", "10.42.1.3", humans.Id, isRedeemed: false, inviteExpires: Now.AddDays(-1)));
        var association = store.AddAssociation(new AssociationContents(humans.Id, robots.Id));
        int flushesBefore = log.Flushes;

        object? result = method switch
        {
            "AddCidr" => store.AddCidr(new CidrContents("bots", IPNetwork.Parse("10.42.3.0/24"), Cidr.RootId)),
            "RenameCidr" => Run(() => store.RenameCidr(robots.Id, "machines")),
            "DeleteCidr" => Run(() =>
            {
                store.DeleteAssociation(association.Id);
                flushesBefore = log.Flushes;
                store.DeleteCidr(robots.Id);
            }),
            "AddPeer" => store.AddPeer(NewPeer("bob", "10.42.1.9", humans.Id)),
            "UpdatePeer" => store.UpdatePeer(alice.Id, PeerUpdate.From(alice) with { Name = "alice2" }),
            "SetDisabled" => store.SetDisabled(alice.Id, true),
            "SetEndpoint" => store.SetEndpoint(alice.Id, Endpoints(1)[0]),
            "SetCandidates" => store.SetCandidates(alice.Id, Endpoints(3)),
            "SetServerEndpoint" => store.SetServerEndpoint(Endpoints(2)[1]),
            "Redeem" => store.Redeem(invited.Id, RandomKey(), Now),
            "ReissueInvitation" => store.ReissueInvitation(invited.Id, RandomKey(), Now.AddDays(2)),
            "DeleteExpiredInvitations" => store.DeleteExpiredInvitations(Now),
            "AddAssociation" => Run(() =>
            {
                store.DeleteAssociation(association.Id);
                flushesBefore = log.Flushes;
                store.AddAssociation(new AssociationContents(robots.Id, humans.Id));
            }),
            "DeleteAssociation" => Run(() => store.DeleteAssociation(association.Id)),
            "Dispose" => Run(store.Dispose),
            _ => throw new ArgumentOutOfRangeException(nameof(method), method, null),
        };

        Assert.NotNull(result);
        AssertSynced(data, log, method);
        if (method != "Dispose")
        {
            Assert.True(log.Flushes > flushesBefore, $"{method} wrote nothing to the log");
        }

        store.Dispose();
    }

    private static void AssertSynced(SimulatedFile data, SimulatedFile log, string what)
    {
        Assert.True(log.PendingOperations == 0, $"{what} returned with {log.PendingOperations} unsynced log operation(s)");
        Assert.True(data.PendingOperations == 0, $"{what} returned with {data.PendingOperations} unsynced data file operation(s)");
    }

    private static string Run(Action action)
    {
        action();
        return "done";
    }
}
