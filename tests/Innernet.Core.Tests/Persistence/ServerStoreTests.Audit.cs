using Innernet.Core.Model;
using Innernet.Core.Persistence;
using static Innernet.Core.Tests.Persistence.StoreTestSupport;

namespace Innernet.Core.Tests.Persistence;

/// <summary>The audit log in the store: ids grow and survive a reopen, <c>since</c> filters, the snapshot is untouched.</summary>
public abstract partial class ServerStoreTests
{
    [Fact]
    public void AppendAudit_IdsGrowAcrossReopen_AndSinceFilters()
    {
        var database = NewDatabase();
        using (var store = database.Create(Network))
        {
            long version = store.Version;
            Assert.Equal(1, store.AppendAudit(Now, "local admin", "admin socket", "POST /v1/admin/cidrs", 201).Id);
            Assert.Equal(2, store.AppendAudit(Now.AddHours(1), "peer 'a' (id 2)", "10.42.1.1", "DELETE /v1/admin/peers/3", 204).Id);
            Assert.Equal(version, store.Version);
        }

        using var reopened = database.Open();
        Assert.Equal(3, reopened.AppendAudit(Now.AddHours(2), "local admin", "admin socket", "PUT /v1/admin/cidrs/3", 204).Id);

        Assert.Equal([1L, 2L, 3L], reopened.ListAudit(null).Select(e => e.Id));
        Assert.Equal([2L, 3L], reopened.ListAudit(Now.AddMinutes(30)).Select(e => e.Id));
        Assert.Equal(("peer 'a' (id 2)", "10.42.1.1", "DELETE /v1/admin/peers/3", 204, Now.AddHours(1)),
            reopened.ListAudit(null)[1] is var e ? (e.Actor, e.Source, e.Action, e.Status, e.Time) : default);
    }

    [Fact]
    public void WriteInAuditScope_RecordsTheEntryWithTheChange_OncePerScope()
    {
        using var store = NewInMemory();
        using (var scope = AuditScope.Begin(Now, "local admin", "admin socket", "POST /v1/admin/cidrs", 201))
        {
            long version = store.Version;
            store.AddCidr(new CidrContents("lab", IPNetwork.Parse("10.42.9.0/24"), Cidr.RootId));
            Assert.Equal(version + 1, store.Version);
            store.AddCidr(new CidrContents("lab-2", IPNetwork.Parse("10.42.10.0/24"), Cidr.RootId));

            var entry = Assert.Single(store.ListAudit(null));
            Assert.Equal(new AuditEntry(1, Now, "local admin", "admin socket", "POST /v1/admin/cidrs", 201), entry);
            Assert.Equal(entry, scope.Recorded);
        }

        store.AddCidr(new CidrContents("lab-3", IPNetwork.Parse("10.42.11.0/24"), Cidr.RootId));
        Assert.Single(store.ListAudit(null)); // outside the scope: nothing recorded
    }

    [Fact]
    public void RefusedOrUnchangedWriteInAuditScope_RecordsNothing()
    {
        using var store = NewInMemory();
        using var scope = AuditScope.Begin(Now, "local admin", "admin socket", "POST /v1/admin/cidrs", 201);

        Assert.Throws<ValidationException>(() => store.AddCidr(new CidrContents("bad", IPNetwork.Parse("192.0.2.0/24"), Cidr.RootId)));
        store.RenameCidr(Cidr.RootId, "evilcorp"); // its own name: a 204 that changes nothing

        Assert.Empty(store.ListAudit(null));
        Assert.Null(scope.Recorded);
    }
}
