using Innernet.Core.Model;
using Innernet.Core.Persistence;
using LiteDB;
using static Innernet.Core.Tests.Persistence.StoreTestSupport;

namespace Innernet.Core.Tests.Persistence;

/// <summary>
/// The contract suite on LiteDB (a <see cref="MemoryStream"/> per store, a temporary file per database that is reopened) plus
/// what only the LiteDB engine has: files, permissions, its write-ahead log, schema version and unique indexes.
/// </summary>
public sealed class LiteDbServerStoreTests : ServerStoreTests
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    protected override StoreDatabase CreateDatabase() => new LiteDbTestDatabase();

    protected override ServerStore NewStore() => ServerStore.Create(new MemoryStream(), Network);

    [Theory]
    [InlineData("Evilcorp", "10.42.0.1", "network name")]
    [InlineData("a-very-long-name", "10.42.0.1", "network name")]
    [InlineData("evilcorp", "10.43.0.1", "not inside the network's root CIDR 10.42.0.0/16")]
    [InlineData("evilcorp", "10.42.0.0", "cannot be assigned")]
    [InlineData("evilcorp", "10.42.255.255", "cannot be assigned")]
    public void Create_InvalidNetwork_ThrowsValidationAndLeavesNoFile(string name, string serverIp, string expected)
    {
        using var temp = new TempDatabase();
        var network = Network with { Name = name, ServerIp = IPAddress.Parse(serverIp) };

        var e = Assert.Throws<ValidationException>(() => ServerStore.Create(temp.Path, network));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(temp.Path));
        Assert.False(File.Exists(temp.LogPath));
    }

    [Fact]
    public void Create_FileExists_ThrowsStoreExceptionAndKeepsFile()
    {
        using var temp = new TempDatabase();
        File.WriteAllText(temp.Path, "precious");

        var e = Assert.Throws<StoreException>(() => ServerStore.Create(temp.Path, Network));

        Assert.Contains("already exists", e.Message, StringComparison.Ordinal);
        Assert.Equal("precious", File.ReadAllText(temp.Path));
    }

    [Fact]
    public void Open_BoundsLiteDbsPageCache()
    {
        using var temp = new TempDatabase();
        ServerStore.Create(temp.Path, Network).Dispose();

        using var store = ServerStore.Open(temp.Path);

        // LiteDB's internal block sizes are the bounded ones (the accessor finds the field; no default 500/1,000 blocks).
        Assert.Same(LiteDbStoreEngine.PageCacheSegments, LiteDbStoreEngine.LiteDbMemorySegmentSizes(null));
        Assert.All(LiteDbStoreEngine.PageCacheSegments, pages => Assert.InRange(pages, 12, 100));
    }

    [Fact]
    public void Create_NewFile_IsOwnerReadWriteOnly()
    {
        using var temp = new TempDatabase();
        using (var store = ServerStore.Create(temp.Path, Network))
        {
            Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(temp.Path));
            Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(temp.LogPath));
            Assert.Null(store.FileModeTightenedFrom);
        }

        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(temp.Path));
        Assert.False(File.Exists(temp.LogPath), "a clean close checkpoints and removes the empty log");
    }

    [Fact]
    public void Open_LaxFileMode_TightensTo0600AndReportsOldMode()
    {
        using var temp = new TempDatabase();
        ServerStore.Create(temp.Path, Network).Dispose();
        const UnixFileMode lax = OwnerReadWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        File.SetUnixFileMode(temp.Path, lax);

        using var store = ServerStore.Open(temp.Path);

        Assert.Equal(lax, store.FileModeTightenedFrom);
        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(temp.Path));
    }

    [Fact]
    public void Open_CopyTakenWhileOpen_ReplaysTheLogAndSeesEveryCommittedWrite()
    {
        // A copy of the files of a running store is what a crash (or power loss after fsync) leaves behind:
        // committed transactions sit in the write-ahead log until a checkpoint.
        using var temp = new TempDatabase();
        var crashed = System.IO.Path.Combine(temp.Directory, "crashed");
        Directory.CreateDirectory(crashed);
        IReadOnlyList<Peer> peers;
        using (var store = ServerStore.Create(temp.Path, Network))
        {
            store.AddPeer(NewPeer("laptop", "10.42.1.1", AddHumans(store).Id));
            store.SetCandidates(2, Endpoints(3));
            peers = store.ListPeers();
            Assert.True(new FileInfo(temp.LogPath).Length > 0, "the writes are in the log, not yet checkpointed");

            // cp takes no lock; .NET's File.Copy would be refused by the store's exclusive lock.
            using var cp = System.Diagnostics.Process.Start("cp", [temp.Path, temp.LogPath, crashed])!;
            cp.WaitForExit();
            Assert.Equal(0, cp.ExitCode);
        }

        using var recovered = ServerStore.Open(System.IO.Path.Combine(crashed, "evilcorp.db"));
        Assert.Equal(peers, recovered.ListPeers());
        Assert.Equal(3, recovered.AddPeer(NewPeer("phone", "10.42.1.2", 3)).Id);
    }

    [Fact]
    public void Open_AfterCloseInStream_SeesEverything()
    {
        var stream = new MemoryStream();
        IReadOnlyList<Peer> peers;
        using (var store = ServerStore.Create(stream, Network))
        {
            store.AddPeer(NewPeer("laptop", "10.42.1.1", AddHumans(store).Id));
            peers = store.ListPeers();
        }

        using var reopened = ServerStore.Open(stream);
        Assert.Equal(peers, reopened.ListPeers());
    }

    [Fact]
    public void Open_FileAlreadyOpen_ThrowsStoreExceptionInUse()
    {
        using var temp = new TempDatabase();
        using var first = ServerStore.Create(temp.Path, Network);

        var e = Assert.Throws<StoreException>(() => ServerStore.Open(temp.Path));

        Assert.Contains("only one may use a database at a time", e.Message, StringComparison.Ordinal);
        Assert.Single(first.ListPeers()); // the first store is unaffected
    }

    [Fact]
    public void Open_MissingFile_ThrowsStoreException()
    {
        using var temp = new TempDatabase();
        var e = Assert.Throws<StoreException>(() => ServerStore.Open(temp.Path));
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

        var e = Assert.Throws<StoreException>(() => ServerStore.Open(temp.Path));

        Assert.Contains("not an innernet-server database", e.Message, StringComparison.Ordinal);
        Assert.Equal(garbage, File.ReadAllBytes(temp.Path));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    [InlineData(20000)]
    public void Open_StreamWithoutADatabase_ThrowsStoreExceptionAndLeavesStreamAlone(int length)
    {
        var garbage = new byte[length];
        new Random(length).NextBytes(garbage);
        var stream = new MemoryStream();
        stream.Write(garbage);

        var e = Assert.Throws<StoreException>(() => ServerStore.Open(stream));

        Assert.Contains("not an innernet-server database", e.Message, StringComparison.Ordinal);
        Assert.Equal(garbage, stream.ToArray());
    }

    [Fact]
    public void Create_NonEmptyStream_ThrowsStoreException()
    {
        var stream = new MemoryStream([1, 2, 3]);
        Assert.Throws<StoreException>(() => ServerStore.Create(stream, Network));
        Assert.Equal([1, 2, 3], stream.ToArray());
    }

    [Fact]
    public void Open_PlainLiteDbFile_ThrowsStoreExceptionNoSchemaVersion()
    {
        using var temp = new TempDatabase();
        using (var db = new LiteDatabase(temp.Path))
        {
            db.GetCollection("things").Insert(new BsonDocument { ["x"] = 1 });
        }

        var e = Assert.Throws<StoreException>(() => ServerStore.Open(temp.Path));

        Assert.Contains("no schema version", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_NewerSchemaVersion_ThrowsStoreExceptionNamingBothVersions()
    {
        using var temp = new TempDatabase();
        ServerStore.Create(temp.Path, Network).Dispose();
        using (var db = new LiteDatabase(temp.Path))
        {
            db.GetCollection("meta").Upsert(new BsonDocument { ["_id"] = "schema_version", ["value"] = 2 });
        }

        var e = Assert.Throws<StoreException>(() => ServerStore.Open(temp.Path));

        Assert.Contains("schema version 2, newer than the 1", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ip", "banana")]
    [InlineData("public_key", "not base64")]
    [InlineData("candidates", 7)]
    public void Open_DamagedPeerRow_ThrowsStoreException(string field, object stored)
    {
        using var temp = new TempDatabase();
        ServerStore.Create(temp.Path, Network).Dispose();
        using (var db = new LiteDatabase(temp.Path))
        {
            var peers = db.GetCollection("peers");
            var server = peers.FindById(1);
            server[field] = stored is int i ? new BsonValue(i) : new BsonValue((string)stored);
            peers.Update(server);
        }

        var e = Assert.Throws<StoreException>(() => ServerStore.Open(temp.Path));

        Assert.Contains("database", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_Schema_HasUniqueIndexesAndVersion()
    {
        using var temp = new TempDatabase();
        ServerStore.Create(temp.Path, Network).Dispose();

        using var db = new LiteDatabase(temp.Path);
        var unique = db.GetCollection("$indexes").FindAll()
            .Where(i => i["unique"].AsBoolean)
            .Select(i => $"{i["collection"].AsString}.{i["name"].AsString}")
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.Equal(
            [
                "associations._id", "associations.pair", "cidrs._id", "cidrs.cidr", "cidrs.name", "meta._id",
                "peers._id", "peers.ip", "peers.name", "peers.public_key",
            ],
            unique);
        Assert.Equal(1, db.GetCollection("meta").FindById("schema_version")["value"].AsInt32);
    }

    [Fact]
    public void Open_UniqueIndexMissing_RecreatesItAndEnforcesIt()
    {
        using var temp = new TempDatabase();
        ServerStore.Create(temp.Path, Network).Dispose();
        using (var db = new LiteDatabase(temp.Path))
        {
            Assert.True(db.GetCollection("peers").DropIndex("name"));
        }

        using (var store = ServerStore.Open(temp.Path))
        {
            Assert.NotNull(store.GetPeer(Peer.ServerId));
        }

        using var reopened = new LiteDatabase(temp.Path);
        var index = Assert.Single(reopened.GetCollection("$indexes").FindAll(), i => i["collection"] == "peers" && i["name"] == "name");
        Assert.True(index["unique"].AsBoolean);
        Assert.Equal("$.name", index["expression"].AsString);
    }

    [Fact]
    public void Create_Schema_StoresInnernetTextForms()
    {
        using var temp = new TempDatabase();
        var expires = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        using (var store = ServerStore.Create(temp.Path, Network))
        {
            store.AddPeer(NewPeer(
                "phone", "10.42.1.2", AddHumans(store).Id, key: Key(7), isRedeemed: false, inviteExpires: expires,
                candidates: [Endpoint.Parse("[2001:db8::2]:51820")]));
        }

        using var db = new LiteDatabase(temp.Path);
        var phone = db.GetCollection("peers").FindOne(Query.EQ("name", "phone"));
        Assert.Equal("10.42.1.2", phone["ip"].AsString);
        Assert.Equal(Key(7).ToBase64(), phone["public_key"].AsString);
        Assert.Equal(1_800_000_000L, phone["invite_expires"].AsInt64);
        Assert.Equal("[2001:db8::2]:51820", Assert.Single(phone["candidates"].AsArray).AsString);
        Assert.Equal("10.42.1.0/24", db.GetCollection("cidrs").FindById(3)["cidr"].AsString);
    }

    [Fact]
    public void UniqueIndex_DuplicateInsertedBehindTheStoresBack_IsRefusedByLiteDb()
    {
        // The store checks uniqueness itself; the indexes are the backstop for anything that bypasses it.
        using var temp = new TempDatabase();
        ServerStore.Create(temp.Path, Network).Dispose();

        using var db = new LiteDatabase(temp.Path);
        var peers = db.GetCollection("peers");
        var copy = peers.FindById(1);
        copy["_id"] = 99;
        var e = Assert.Throws<LiteException>(() => peers.Insert(copy));
        Assert.Equal(LiteException.INDEX_DUPLICATE_KEY, e.ErrorCode);
    }

    [Fact]
    public void Open_UnknownBsonTypeInARow_ThrowsStoreExceptionNamingTheFile()
    {
        using var temp = new TempDatabase();
        ServerStore.Create(temp.Path, Network).Dispose();
        byte[] file = File.ReadAllBytes(temp.Path);
        // A peer row's "name" field: BSON type 0x02 (string), then the key. An unknown type byte is what a flipped bit
        // makes of it; LiteDB's reader throws a bare NotSupportedException for it.
        int at = file.AsSpan().IndexOf("\u0002name\0"u8);
        Assert.True(at > 0, "the test's database holds no \"name\" string field");
        file[at] = 0x7F;
        File.WriteAllBytes(temp.Path, file);

        var e = Assert.Throws<StoreException>(() => ServerStore.Open(temp.Path));

        Assert.Contains(temp.Path, e.Message, StringComparison.Ordinal);
        Assert.Contains("damaged", e.Message, StringComparison.Ordinal);
    }
}
