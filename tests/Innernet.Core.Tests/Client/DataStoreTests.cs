using System.Security.Cryptography;
using Innernet.Core.Client;
using Innernet.Core.Model;

namespace Innernet.Core.Tests.Client;

public sealed class DataStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("inn-core-store-").FullName;

    private string StorePath => Path.Combine(_dir, "var", "evilcorp.json");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Open_Missing_IsEmptyAndWritesNothing()
    {
        var store = DataStore.Open(StorePath);

        Assert.Empty(store.Peers);
        Assert.Empty(store.Cidrs);
        Assert.False(File.Exists(StorePath));
    }

    [Fact]
    public void CacheJsonOptions_AreTheApisPlusIndentation()
    {
        var cache = DataStoreJsonContext.Default.Options;
        var api = Innernet.Core.Contracts.InnernetJsonContext.Default.Options;

        Assert.True(cache.WriteIndented);
        Assert.Same(api.PropertyNamingPolicy, cache.PropertyNamingPolicy);
        Assert.Equal(api.RespectNullableAnnotations, cache.RespectNullableAnnotations);
        Assert.Equal(api.RespectRequiredConstructorParameters, cache.RespectRequiredConstructorParameters);
        var apiConverters = api.Converters.Select(c => c.GetType()).Where(t => t.Name != "EndpointContentsJsonConverter");
        Assert.Equal(apiConverters, cache.Converters.Select(c => c.GetType()));
    }

    [Fact]
    public void Update_WritesGoldenPrettyJsonWith0600()
    {
        var laptop = Fixtures.Laptop with { Endpoint = null, Candidates = [Endpoint.Parse("192.168.1.20:51820")] };
        var server = Fixtures.Server with { Endpoint = Endpoint.Parse("vpn.example.com:51820") };
        var store = DataStore.Open(StorePath);

        store.UpdatePeersAndSetCidrs([server, laptop], [Fixtures.Root, Fixtures.Infra]);

        Assert.Equal(Golden.Read("DataStore/evilcorp.json").TrimEnd(), File.ReadAllText(StorePath).TrimEnd());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(StorePath));
        var reopened = DataStore.Open(StorePath);
        Assert.Equal([server, laptop], reopened.Peers);
        Assert.Equal([Fixtures.Root, Fixtures.Infra], reopened.Cidrs);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(StorePath))), reopened.ContentHash);
        var listed = DataStore.OpenToList(StorePath);
        Assert.Equal([server, laptop], listed.Peers);
        Assert.Equal([Fixtures.Root, Fixtures.Infra], listed.Cidrs);
        Assert.Null(listed.ContentHash);
    }

    [Fact]
    public void Update_MissingPeersKeptAsDisabled_CidrsReplaced_NewAppended()
    {
        var store = DataStore.Open(StorePath);
        store.UpdatePeersAndSetCidrs([Fixtures.Server, Fixtures.Laptop], Fixtures.Cidrs);
        var phone = Fixtures.MakePeer(3, "phone", "10.42.1.2", 3);
        var renamedServer = Fixtures.Server with { Name = "hub" };

        store.UpdatePeersAndSetCidrs([renamedServer, phone], [Fixtures.Root]);

        var reopened = DataStore.Open(StorePath);
        Assert.Equal(["hub", "laptop", "phone"], reopened.Peers.Select(p => p.Name));
        Assert.True(reopened.Peers[1].IsDisabled);
        Assert.False(reopened.Peers[0].IsDisabled);
        Assert.Equal([Fixtures.Root], reopened.Cidrs);
    }

    [Fact]
    public void Update_SameIpDifferentKey_ThrowsPinningErrorAndChangesNothing()
    {
        var store = DataStore.Open(StorePath);
        store.UpdatePeersAndSetCidrs([Fixtures.Server, Fixtures.Laptop], Fixtures.Cidrs);
        string before = File.ReadAllText(StorePath);
        var impostor = Fixtures.Laptop with { PublicKey = TestKeys.Numbered(99) };
        var phone = Fixtures.MakePeer(3, "phone", "10.42.1.2", 3);

        var e = Assert.Throws<PinningException>(() => store.UpdatePeersAndSetCidrs([phone, impostor], [Fixtures.Root]));

        Assert.StartsWith("PINNING ERROR:", e.Message, StringComparison.Ordinal);
        Assert.Contains("10.42.1.1", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(StorePath));
        Assert.Equal(2, store.Peers.Count);
        Assert.Equal(Fixtures.Cidrs, store.Cidrs);
    }

    [Fact]
    public void CheckPins_PinnedKeyEvenForDisabledPeer_Throws()
    {
        var store = DataStore.Open(StorePath);
        store.UpdatePeersAndSetCidrs([Fixtures.Server, Fixtures.Laptop], Fixtures.Cidrs);
        store.UpdatePeersAndSetCidrs([Fixtures.Server], Fixtures.Cidrs);

        Assert.Throws<PinningException>(() => store.CheckPins([Fixtures.Laptop with { PublicKey = TestKeys.Numbered(77) }]));
        store.CheckPins([Fixtures.Laptop]);
    }

    [Theory]
    [InlineData("{not json", "is corrupt")]
    [InlineData("""{"version":"1","peers":[{"id":1}],"cidrs":[]}""", "is corrupt")]
    [InlineData("""{"version":"2","peers":[],"cidrs":[]}""", "version '2'")]
    [InlineData("null", "is corrupt")]
    public void Open_CorruptFile_IsAClearError(string contents, string expected)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(StorePath)!);
        File.WriteAllText(StorePath, contents);

        foreach (Func<string, DataStore> open in new Func<string, DataStore>[] { DataStore.Open, DataStore.OpenToList })
        {
            var e = Assert.Throws<InnernetException>(() => open(StorePath));
            Assert.Contains(expected, e.Message, StringComparison.Ordinal);
            Assert.Contains(StorePath, e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Open_EmptyFile_IsEmptyStore()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(StorePath)!);
        File.WriteAllText(StorePath, "");
        Assert.Empty(DataStore.Open(StorePath).Peers);
    }

    [Theory]
    [InlineData(" \t\r\n")]
    [InlineData("\n\v\f ")]
    [InlineData(" \u00a0\u2003\n")]
    public void Open_AllWhitespaceFile_IsEmptyStore(string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(StorePath)!);
        File.WriteAllText(StorePath, text);
        Assert.Empty(DataStore.Open(StorePath).Peers);
    }

    [Theory]
    [InlineData("  x")]
    [InlineData("\n\u00a0\u00e9")]
    public void Open_WhitespaceThenText_IsCorrupt(string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(StorePath)!);
        File.WriteAllText(StorePath, text);
        Assert.Throws<InnernetException>(() => DataStore.Open(StorePath));
    }

    [Fact]
    public void Open_WorldReadable_Warns()
    {
        DataStore.Open(StorePath).UpdatePeersAndSetCidrs([Fixtures.Server], Fixtures.Cidrs);
        File.SetUnixFileMode(StorePath, (UnixFileMode)0b110_100_100);

        Assert.Contains("world-accessible", Assert.Single(DataStore.Open(StorePath).Warnings), StringComparison.Ordinal);
    }
}
