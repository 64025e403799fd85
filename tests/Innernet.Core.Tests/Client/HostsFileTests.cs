using Innernet.Core.Client;
using Innernet.Core.Model;

namespace Innernet.Core.Tests.Client;

public sealed class HostsFileTests : IDisposable
{
    private static readonly Peer[] Peers =
    [
        Fixtures.MakePeer(4, "v6peer", "fd00::5", 3),
        Fixtures.MakePeer(3, "phone", "10.42.1.10", 3),
        Fixtures.Laptop,
        Fixtures.Server,
    ];

    private readonly string _dir = Directory.CreateTempSubdirectory("inn-core-hosts-").FullName;

    private string HostsPath => Path.Combine(_dir, "hosts");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Update_NoSection_AppendsAfterBlankLineSortedByIp()
    {
        File.WriteAllText(HostsPath, Golden.Read("Hosts/before.hosts"));

        Assert.True(HostsFile.Update(HostsPath, "evilcorp", Peers));

        Assert.Equal(Golden.Read("Hosts/after.hosts"), File.ReadAllText(HostsPath));
        Assert.Single(Directory.GetFiles(_dir));
    }

    [Fact]
    public void Update_Unchanged_ReturnsFalseAndDoesNotRewrite()
    {
        File.WriteAllText(HostsPath, Golden.Read("Hosts/after.hosts"));
        var stamp = new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(HostsPath, stamp);

        Assert.False(HostsFile.Update(HostsPath, "evilcorp", Peers.Reverse()));

        Assert.Equal(stamp, File.GetLastWriteTimeUtc(HostsPath));
    }

    [Fact]
    public void Update_ExistingSection_ReplacesOnlyThatSectionAndKeepsMode()
    {
        File.WriteAllText(HostsPath, Golden.Read("Hosts/after.hosts") + "192.0.2.1 after-section\n");
        File.SetUnixFileMode(HostsPath, (UnixFileMode)0b110_100_000);

        Assert.True(HostsFile.Update(HostsPath, "evilcorp", [Fixtures.Server], hostSuffix: ""));

        string text = File.ReadAllText(HostsPath);
        Assert.Contains("# DO NOT EDIT innernet evilcorp BEGIN\n10.42.0.1 innernet-server\n# DO NOT EDIT innernet evilcorp END\n", text,
            StringComparison.Ordinal);
        Assert.Contains("10.9.0.1 server.other.wg", text, StringComparison.Ordinal);
        Assert.EndsWith("192.0.2.1 after-section\n", text, StringComparison.Ordinal);
        Assert.Equal((UnixFileMode)0b110_100_000, File.GetUnixFileMode(HostsPath));
    }

    [Theory]
    [InlineData("# DO NOT EDIT innernet evilcorp BEGIN\n10.0.0.1 x\n")]
    [InlineData("10.0.0.1 x\n# DO NOT EDIT innernet evilcorp END\n")]
    public void Update_OneMarkerOnly_Throws(string contents)
    {
        File.WriteAllText(HostsPath, contents);

        var e = Assert.Throws<InnernetException>(() => HostsFile.Update(HostsPath, "evilcorp", Peers));
        Assert.Contains("incomplete", e.Message, StringComparison.Ordinal);
        Assert.Equal(contents, File.ReadAllText(HostsPath));
    }

    [Fact]
    public void Update_SameIpTwice_ListsBothNamesOnOneLine()
    {
        File.WriteAllText(HostsPath, "");
        HostsFile.Update(HostsPath, "evilcorp", [Fixtures.Laptop, Fixtures.Laptop with { Name = "alias" }], hostSuffix: "corp");

        Assert.Contains("10.42.1.1 laptop.corp alias.corp\n", File.ReadAllText(HostsPath), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("two words")]
    [InlineData("evil\n10.9.9.9 bank.example.com")]
    [InlineData("evil#comment")]
    [InlineData("# DO NOT EDIT innernet evilcorp END")]
    [InlineData("")]
    public void Update_PeerNameThatIsNotAHostname_IsRefused_AndNothingIsWritten(string name)
    {
        const string contents = "127.0.0.1 localhost\n";
        File.WriteAllText(HostsPath, contents);

        Peer[] peers = [Fixtures.Laptop, Fixtures.Laptop with { Name = name }];

        Assert.Throws<ValidationException>(() => HostsFile.Update(HostsPath, "evilcorp", peers));

        Assert.Equal(contents, File.ReadAllText(HostsPath));
        Assert.Single(Directory.GetFiles(_dir));
    }

    [Theory]
    [InlineData("evil corp", null)]
    [InlineData("evilcorp", "lan\n10.9.9.9 bank")]
    [InlineData("evilcorp", "lan..example")]
    public void Update_InterfaceOrSuffixThatIsNotAHostname_IsRefused(string interfaceName, string? suffix)
    {
        Assert.Throws<ValidationException>(() => HostsFile.Update(HostsPath, interfaceName, [Fixtures.Laptop], suffix));

        Assert.False(File.Exists(HostsPath));
    }

    [Theory]
    [InlineData(null, "laptop.evilcorp.wg")]
    [InlineData("", "laptop")]
    [InlineData("lan", "laptop.lan")]
    public void HostnameFor_Suffixes(string? suffix, string expected) =>
        Assert.Equal(expected, HostsFile.HostnameFor("laptop", "evilcorp", suffix));
}
