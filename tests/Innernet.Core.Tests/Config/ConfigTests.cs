using Innernet.Core.Cidrs;
using Innernet.Core.Config;
using Innernet.Core.Model;
using Innernet.Netlink.Route;
using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Tests.Config;

public sealed class ConfigTests : IDisposable
{
    private static readonly WireGuardKey Private = WireGuardKey.Parse(TestKeys.VectorPrivate);
    private static readonly WireGuardKey Public = WireGuardKey.Parse(TestKeys.VectorPublic);
    private static readonly ServerInfo Server = new(Public, Endpoint.Parse("vpn.example.com:51820"), IPEndPoint.Parse("10.42.0.1:51820"));

    private readonly string _dir = Directory.CreateTempSubdirectory("inn-core-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ServerConfig_Golden_RoundTrips()
    {
        var expected = new ServerConfig(Private, 51820, IPAddress.Parse("10.42.0.1"), 16);
        string golden = Golden.Read("Toml/server.conf");

        Assert.Equal(expected, ServerConfig.Parse(golden));
        Assert.Equal(golden, expected.ToToml());
    }

    [Fact]
    public void ServerConfig_DatabaseSection_RoundTripsAndAnEmptyConnectionIsRefused()
    {
        var expected = new ServerConfig(Private, 51820, IPAddress.Parse("10.42.0.1"), 16)
        {
            DatabaseConnection = "postgresql://innernet@/innernet?host=/run/postgresql",
        };
        string golden = Golden.Read("Toml/server.conf");
        string toml = golden + "\n[database]\nconnection = \"postgresql://innernet@/innernet?host=/run/postgresql\"\n";

        Assert.Equal(expected, ServerConfig.Parse(toml));
        Assert.Equal(toml, expected.ToToml());
        var e = Assert.Throws<ValidationException>(() => ServerConfig.Parse(golden + "[database]\nconnection = \"\"\n", "server.conf"));
        Assert.Contains("connection", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ServerConfig_DatabaseReplica_RoundTripsDefaultsToFalseAndANonBooleanIsRefused()
    {
        string golden = Golden.Read("Toml/server.conf");
        string section = "\n[database]\nconnection = \"postgresql://innernet@/innernet?host=/run/postgresql\"\n";
        string toml = golden + section + "replica = true\n";

        var replica = ServerConfig.Parse(toml);

        Assert.True(replica.DatabaseReplica);
        Assert.Equal(toml, replica.ToToml());
        Assert.False(ServerConfig.Parse(golden + section).DatabaseReplica);
        Assert.False(ServerConfig.Parse(golden + section + "replica = false\n").DatabaseReplica);
        Assert.Equal(golden + section, ServerConfig.Parse(golden + section + "replica = false\n").ToToml());
        var e = Assert.Throws<ValidationException>(() => ServerConfig.Parse(golden + section + "replica = \"yes\"\n", "server.conf"));
        Assert.Contains("[database] 'replica' must be true or false", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InterfaceConfig_GoldenWithOverrides_RoundTrips()
    {
        var expected = new InterfaceConfig
        {
            Interface = new InterfaceInfo("evilcorp", InterfaceAddress.Parse("10.42.1.2/16"), Private, 51820),
            Server = Server,
            PeerEndpointOverrides = new Dictionary<IPAddress, Endpoint>
            {
                [IPAddress.Parse("10.42.1.10")] = Endpoint.Parse("[2001:db8::12]:51820"),
                [IPAddress.Parse("10.42.1.3")] = Endpoint.Parse("192.168.0.12:51820"),
            },
        };
        string golden = Golden.Read("Toml/client.conf");

        Assert.Equal(expected, InterfaceConfig.Parse(golden));
        Assert.Equal(golden, expected.ToToml());
    }

    [Fact]
    public void InterfaceConfig_GoldenIpv6Minimal_RoundTrips()
    {
        var expected = new InterfaceConfig
        {
            Interface = new InterfaceInfo("evilcorp", InterfaceAddress.Parse("fd00:42::1:2/64"), Private),
            Server = new ServerInfo(Public, Endpoint.Parse("[2001:db8::1]:51820"), IPEndPoint.Parse("[fd00:42::1]:51820")),
        };
        string golden = Golden.Read("Toml/client-minimal.conf");

        var parsed = InterfaceConfig.Parse(golden);
        Assert.Equal(expected, parsed);
        Assert.Null(parsed.Interface.ListenPort);
        Assert.Empty(parsed.PeerEndpointOverrides);
        Assert.Equal(golden, expected.ToToml());
    }

    [Fact]
    public void InterfaceConfig_HandwrittenFile_Parses()
    {
        var parsed = InterfaceConfig.Parse(Golden.Read("Toml/client-handwritten.conf"));

        Assert.Equal((ushort)0, parsed.Interface.ListenPort);
        Assert.Equal("203.0.113.1:51820", parsed.Server.ExternalEndpoint.ToString());
        Assert.Equal("10.42.1.2/16", parsed.Interface.Address.ToString());
    }

    [Fact]
    public void Invitation_Golden_MatchesAndParsesBack()
    {
        var tree = new CidrTree(Fixtures.Cidrs);
        var invitation = InterfaceConfig.CreateInvitation("evilcorp", IPAddress.Parse("10.42.1.2"), tree, Private, Server);
        string golden = Golden.Read("Toml/invitation.toml");

        Assert.Equal(golden, invitation.ToInvitationToml());
        Assert.Equal(invitation, InterfaceConfig.Parse(golden));
    }

    [Fact]
    public void Invitation_Header_SaysWhatToDo()
    {
        string text = Golden.Read("Toml/invitation.toml");
        Assert.Contains("innernet invitation", text, StringComparison.Ordinal);
        Assert.Contains("innernet install", text, StringComparison.Ordinal);
        Assert.Contains("do not edit", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[interface]\nnetwork-name = \"x\"\n", "test.conf: [server] 'server' is missing.")]
    [InlineData("[server]\n", "test.conf: [interface] 'interface' is missing.")]
    [InlineData("interface = 5\n[server]\n", "'interface' must be a table")]
    public void InterfaceConfig_MissingSection_NamesFileAndSection(string toml, string expected)
    {
        var e = Assert.Throws<ValidationException>(() => InterfaceConfig.Parse(toml, "test.conf"));
        Assert.Contains(expected.Replace("[server] 'server'", "'server'").Replace("[interface] 'interface'", "'interface'"), e.Message,
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("network-name = \"evilcorp\"", "network-name = \"Evil Corp\"",
        "[interface] 'network-name' 'Evil Corp' is not a valid network name")]
    [InlineData("network-name = \"evilcorp\"\n", "", "[interface] 'network-name' is missing")]
    [InlineData("address = \"10.42.1.2/16\"", "address = \"10.42.1.2\"", "[interface] 'address' '10.42.1.2' is not an address with prefix")]
    [InlineData("listen-port = 51820", "listen-port = 70000", "[interface] 'listen-port' must be a port from 0 to 65535, not 70000")]
    [InlineData("listen-port = 51820", "listen-port = \"51820\"", "[interface] 'listen-port' must be an integer")]
    [InlineData("public-key = \"DD5yKRfzExcV5+kDnTroDgCU15latdMjiQ59j1hEuk8=\"", "public-key = \"abc\"",
        "[server] 'public-key' must be a WireGuard key")]
    [InlineData("external-endpoint = \"vpn.example.com:51820\"", "external-endpoint = \"vpn.example.com\"",
        "[server] 'external-endpoint' Endpoint 'vpn.example.com' has no port")]
    [InlineData("internal-endpoint = \"10.42.0.1:51820\"", "internal-endpoint = \"inner:51820\"",
        "[server] 'internal-endpoint' must be an IP address and port")]
    [InlineData("\"10.42.1.3\" = \"192.168.0.12:51820\"", "\"peer-3\" = \"192.168.0.12:51820\"",
        "[peer-endpoint-overrides] 'peer-3' is not a peer IP address")]
    [InlineData("\"10.42.1.3\" = \"192.168.0.12:51820\"", "\"10.42.1.3\" = \"192.168.0.12\"",
        "[peer-endpoint-overrides] '10.42.1.3' Endpoint")]
    [InlineData("[server]", "[server\n", "invalid TOML")]
    public void InterfaceConfig_BadValue_NamesFileSectionAndKey(string find, string replace, string expected)
    {
        string toml = Golden.Read("Toml/client.conf").Replace(find, replace, StringComparison.Ordinal);
        var e = Assert.Throws<ValidationException>(() => InterfaceConfig.Parse(toml, "/etc/innernet/evilcorp.conf"));
        Assert.StartsWith("/etc/innernet/evilcorp.conf", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("network-cidr-prefix = 16", "network-cidr-prefix = 33", "'network-cidr-prefix' must be from 0 to 32")]
    [InlineData("address = \"10.42.0.1\"", "address = \"10.42.0.1/16\"", "'address' must be an IP address")]
    [InlineData("private-key = \"SGb+ojrRNDuMePufwtIYhXzA//k6wF3R21tEBgKlzlM=\"\n", "", "'private-key' is missing")]
    public void ServerConfig_BadValue_NamesKey(string find, string replace, string expected)
    {
        string toml = Golden.Read("Toml/server.conf").Replace(find, replace, StringComparison.Ordinal);
        var e = Assert.Throws<ValidationException>(() => ServerConfig.Parse(toml, "server.conf"));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ServerConfig_ToString_HidesPrivateKey()
    {
        var config = new ServerConfig(Private, 51820, IPAddress.Parse("10.42.0.1"), 16);
        Assert.DoesNotContain(TestKeys.VectorPrivate, config.ToString(), StringComparison.Ordinal);
        var info = new InterfaceInfo("evilcorp", InterfaceAddress.Parse("10.42.1.2/16"), Private);
        Assert.DoesNotContain(TestKeys.VectorPrivate, info.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Save_CreatesPrivateDirectoryAndFile_ThenLoadHasNoWarning()
    {
        string path = Path.Combine(_dir, "etc", "innernet", "evilcorp.conf");
        var config = InterfaceConfig.Parse(Golden.Read("Toml/client.conf"));

        config.Save(path);
        var loaded = InterfaceConfig.Load(path);

        Assert.Equal(config, loaded.Config);
        Assert.Empty(loaded.Warnings);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
            File.GetUnixFileMode(Path.GetDirectoryName(path)!));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public void Load_WorldReadable_WarnsButLoads()
    {
        string path = Path.Combine(_dir, "evilcorp.conf");
        InterfaceConfig.Parse(Golden.Read("Toml/client.conf")).Save(path);
        File.SetUnixFileMode(path, (UnixFileMode)0b110_100_100);

        var loaded = InterfaceConfig.Load(path);

        Assert.Contains("world-accessible", Assert.Single(loaded.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void ServerConfig_Load_ForcesMode0600WithWarning()
    {
        string path = Path.Combine(_dir, "server.conf");
        new ServerConfig(Private, 51820, IPAddress.Parse("10.42.0.1"), 16).Save(path);
        File.SetUnixFileMode(path, (UnixFileMode)0b110_100_000);

        var loaded = ServerConfig.Load(path);

        Assert.Contains("0600", Assert.Single(loaded.Warnings), StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Empty(ServerConfig.Load(path).Warnings);
    }

    [Fact]
    public void Load_MissingFile_NamesFile()
    {
        string path = Path.Combine(_dir, "nope.conf");
        var e = Assert.Throws<ValidationException>(() => InterfaceConfig.Load(path));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SaveInvitation_Existing_RefusesAndKeepsFile()
    {
        string path = Path.Combine(_dir, "laptop.toml");
        File.WriteAllText(path, "keep me");
        var invitation = InterfaceConfig.Parse(Golden.Read("Toml/invitation.toml"));

        Assert.Throws<IOException>(() => invitation.SaveInvitation(path));
        Assert.Equal("keep me", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_dir));
    }

    [Fact]
    public void SaveInvitation_New_Is0600AndLoadsBack()
    {
        string path = Path.Combine(_dir, "laptop.toml");
        var invitation = InterfaceConfig.Parse(Golden.Read("Toml/invitation.toml"));

        invitation.SaveInvitation(path);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(invitation, InterfaceConfig.LoadInvitation(path).Config);
        Assert.Equal(Golden.Read("Toml/invitation.toml"), File.ReadAllText(path));
    }

    [Fact]
    public void Save_Overwrite_ReplacesContentsAtomically()
    {
        string path = Path.Combine(_dir, "evilcorp.conf");
        var config = InterfaceConfig.Parse(Golden.Read("Toml/client.conf"));
        config.Save(path);

        var changed = config with { Interface = config.Interface with { ListenPort = 1234 } };
        changed.Save(path);

        Assert.Equal((ushort)1234, InterfaceConfig.Load(path).Config.Interface.ListenPort);
        Assert.Single(Directory.GetFiles(_dir));
    }
}
