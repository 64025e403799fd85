using Innernet.Core.Model;
using Innernet.Core.Persistence;
using LiteDB;
using static Innernet.Core.Tests.Persistence.StoreTestSupport;

namespace Innernet.Core.Tests.Persistence;

/// <summary>
/// <see cref="ReadOnlyServerStore"/> on real LiteDB files: it sees every committed write, also one still only in the
/// write-ahead log, and leaves both files exactly as they were.
/// </summary>
public sealed class ReadOnlyServerStoreTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
    private static readonly DateTime Past = new(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc);

    [Fact]
    public void Open_LogWithCommittedWritesNotCheckpointed_SeesThemAndChangesNothing()
    {
        using var temp = new TempDatabase();
        var expected = WriteAndCopyWhileOpen(temp, out string copy);
        string copyLog = LogPathOf(copy);
        Assert.True(new FileInfo(copyLog).Length > 0, "the writes are in the log, not yet checkpointed");
        var before = Freeze(copy);

        using (var reader = ReadOnlyServerStore.Open(copy))
        {
            Assert.Equal(expected.Cidrs, reader.ListCidrs());
            Assert.Equal(expected.Peers, reader.ListPeers());
            Assert.Equal(expected.Associations, reader.ListAssociations());
            Assert.Equal(expected.ReservedIps, reader.ListReservedIps());
            Assert.Equal(expected.Audit, reader.ListAudit(null));
            Assert.Empty(reader.ListAudit(Now.AddSeconds(1)));
        }

        Assert.Equal(before, FilesOf(copy));
    }

    [Fact]
    public void Open_LogWithCommittedWrites_ReadsWhatTheDataFileAloneDoesNotHold()
    {
        // Proves the previous test's writes were only in the log: without it the reader sees the database as created.
        using var temp = new TempDatabase();
        WriteAndCopyWhileOpen(temp, out string copy);
        File.Delete(LogPathOf(copy));

        using var reader = ReadOnlyServerStore.Open(copy);

        Assert.Equal([Peer.ServerId], reader.ListPeers().Select(p => p.Id));
        Assert.Equal([Cidr.RootId, Cidr.InfraId], reader.ListCidrs().Select(c => c.Id));
        Assert.False(File.Exists(LogPathOf(copy)), "a reader creates no log");
    }

    [Fact]
    public void Open_LogEndingInATornPage_ReadsTheWholePagesAndLeavesTheTornTailInPlace()
    {
        // A crash in the middle of appending a page leaves a partial page at the end of the log; a writer's open cuts it
        // off (LiteDB truncates the file), the reader must neither fail nor truncate.
        using var temp = new TempDatabase();
        var expected = WriteAndCopyWhileOpen(temp, out string copy);
        using (var log = new FileStream(LogPathOf(copy), FileMode.Append))
        {
            log.Write(new byte[LiteDbLayout.PageSize / 2]);
        }

        var before = Freeze(copy);

        using (var reader = ReadOnlyServerStore.Open(copy))
        {
            Assert.Equal(expected.Peers, reader.ListPeers());
        }

        Assert.Equal(before, FilesOf(copy)); // the torn half page is still there
    }

    [Fact]
    public void Open_CleanlyClosedDatabase_SeesEverythingAndCreatesNoLog()
    {
        using var temp = new TempDatabase();
        IReadOnlyList<Peer> peers;
        using (var store = ServerStore.Create(temp.Path, Network))
        {
            store.AddPeer(NewPeer("laptop", "10.42.1.1", AddHumans(store).Id));
            peers = store.ListPeers();
        }

        Assert.False(File.Exists(temp.LogPath), "a clean close leaves no log");
        var before = Freeze(temp.Path);

        using (var reader = ReadOnlyServerStore.Open(temp.Path))
        {
            Assert.Equal(peers, reader.ListPeers());
        }

        Assert.Equal(before, FilesOf(temp.Path));
        Assert.False(File.Exists(temp.LogPath), "a reader creates no log");
    }

    [Fact]
    public void Open_WhileAWriterHasTheFile_ThrowsInUse()
    {
        using var temp = new TempDatabase();
        using var writer = ServerStore.Create(temp.Path, Network);

        var e = Assert.Throws<StoreException>(() => ReadOnlyServerStore.Open(temp.Path));

        Assert.Contains("only one may use a database at a time", e.Message, StringComparison.Ordinal);
        Assert.Single(writer.ListPeers());
    }

    [Fact]
    public void WhileOpen_AWriterIsRefusedAndAnotherReaderIsNot()
    {
        using var temp = new TempDatabase();
        ServerStore.Create(temp.Path, Network).Dispose();
        using var reader = ReadOnlyServerStore.Open(temp.Path);

        var e = Assert.Throws<StoreException>(() => ServerStore.Open(temp.Path));
        using var second = ReadOnlyServerStore.Open(temp.Path);

        Assert.Contains("only one may use a database at a time", e.Message, StringComparison.Ordinal);
        Assert.Equal(reader.ListPeers(), second.ListPeers());
    }

    [Fact]
    public void Open_MissingFile_ThrowsStoreException()
    {
        using var temp = new TempDatabase();
        var e = Assert.Throws<StoreException>(() => ReadOnlyServerStore.Open(temp.Path));
        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    [InlineData(20000)]
    public void Open_NotALiteDbFile_ThrowsStoreExceptionAndLeavesFileAlone(int length)
    {
        using var temp = new TempDatabase();
        var garbage = new byte[length];
        new Random(length).NextBytes(garbage);
        File.WriteAllBytes(temp.Path, garbage);

        var e = Assert.Throws<StoreException>(() => ReadOnlyServerStore.Open(temp.Path));

        Assert.Contains("not an innernet-server database", e.Message, StringComparison.Ordinal);
        Assert.Equal(garbage, File.ReadAllBytes(temp.Path));
    }

    [Theory]
    [InlineData(2, "schema version 2, newer than the 1")]
    [InlineData(0, "invalid database schema version 0")]
    public void Open_UnreadableSchemaVersion_ThrowsStoreException(int version, string expected)
    {
        using var temp = new TempDatabase();
        ServerStore.Create(temp.Path, Network).Dispose();
        using (var db = new LiteDatabase(temp.Path))
        {
            db.GetCollection("meta").Upsert(new BsonDocument { ["_id"] = "schema_version", ["value"] = version });
        }

        var e = Assert.Throws<StoreException>(() => ReadOnlyServerStore.Open(temp.Path));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ListPeers_DamagedRow_ThrowsStoreExceptionNamingTheFile()
    {
        using var temp = new TempDatabase();
        ServerStore.Create(temp.Path, Network).Dispose();
        using (var db = new LiteDatabase(temp.Path))
        {
            var peers = db.GetCollection("peers");
            var server = peers.FindById(1);
            server["ip"] = "banana";
            peers.Update(server);
        }

        using var reader = ReadOnlyServerStore.Open(temp.Path);

        Assert.Single(reader.ListCidrs(), c => c.Id == Cidr.RootId); // only the peers collection is damaged
        Assert.Throws<StoreException>(reader.ListPeers);
    }

    [Fact]
    public void Open_LaxFileMode_TightensTo0600AndReportsOldMode()
    {
        using var temp = new TempDatabase();
        ServerStore.Create(temp.Path, Network).Dispose();
        const UnixFileMode owner = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        const UnixFileMode lax = owner | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        File.SetUnixFileMode(temp.Path, lax);

        using var reader = ReadOnlyServerStore.Open(temp.Path);

        Assert.Equal(lax, reader.FileModeTightenedFrom);
        Assert.Equal(owner, File.GetUnixFileMode(temp.Path));
    }

    /// <summary>
    /// Writes rows of every kind (and an audit entry) into a new database, reopened, and copies its files while the store
    /// is still open, which is what a crash leaves: the transactions committed since the open sit in the log. The copy's
    /// path is returned in <paramref name="copy"/>; the result is what the store listed.
    /// </summary>
    private static Expected WriteAndCopyWhileOpen(TempDatabase temp, out string copy)
    {
        var crashed = Path.Combine(temp.Directory, "crashed");
        Directory.CreateDirectory(crashed);
        copy = Path.Combine(crashed, Path.GetFileName(temp.Path));
        ServerStore.Create(temp.Path, Network).Dispose(); // the fixed rows checkpointed into the data file
        using var store = ServerStore.Open(temp.Path);
        var humans = AddHumans(store);
        var robots = AddRobots(store);
        store.AddPeer(NewPeer("laptop", "10.42.1.1", humans.Id));
        var phone = store.AddPeer(NewPeer("phone", "10.42.1.2", humans.Id));
        store.AddAssociation(new AssociationContents(humans.Id, robots.Id));
        using (AuditScope.Begin(Now, "local admin", "command line", "POST /v1/admin/peers/3/delete", 204))
        {
            store.DeletePeer(phone.Id, Now.AddDays(30));
        }

        // cp takes no lock; .NET's File.Copy would be refused by the store's exclusive lock.
        using var cp = System.Diagnostics.Process.Start("cp", [temp.Path, temp.LogPath, crashed])!;
        cp.WaitForExit();
        Assert.Equal(0, cp.ExitCode);
        var expected = new Expected(
            store.ListCidrs(), store.ListPeers(), store.ListAssociations(), store.ListReservedIps(), store.ListAudit(null));
        Assert.Single(expected.Audit);
        Assert.Single(expected.ReservedIps);
        Assert.Single(expected.Associations);
        return expected;
    }

    private static string LogPathOf(string path)
        => Path.Combine(Path.GetDirectoryName(path)!, Path.GetFileNameWithoutExtension(path) + "-log.db");

    /// <summary>
    /// Sets the modification time of every file in the database's directory to a fixed past instant (so any write, which
    /// moves it to now, shows) and returns <see cref="FilesOf"/>.
    /// </summary>
    private static List<(string Name, string Bytes, DateTime Modified)> Freeze(string path)
    {
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(path)!))
        {
            File.SetLastWriteTimeUtc(file, Past);
        }

        var files = FilesOf(path);
        Assert.All(files, file => Assert.Equal(Past, file.Modified));
        return files;
    }

    /// <summary>The names, bytes and modification times of every file in the database's directory.</summary>
    private static List<(string Name, string Bytes, DateTime Modified)> FilesOf(string path)
        => [.. Directory.GetFiles(Path.GetDirectoryName(path)!).Order(StringComparer.Ordinal)
            .Select(file => (Path.GetFileName(file), Convert.ToHexString(File.ReadAllBytes(file)), File.GetLastWriteTimeUtc(file)))];

    private sealed record Expected(
        IReadOnlyList<Cidr> Cidrs,
        IReadOnlyList<Peer> Peers,
        IReadOnlyList<Association> Associations,
        IReadOnlyList<ReservedIp> ReservedIps,
        IReadOnlyList<AuditEntry> Audit);
}
