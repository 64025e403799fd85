using Innernet.Core.Client;
using Innernet.Core.Config;
using Innernet.Core.Keys;
using Innernet.Core.Model;
using Innernet.Netlink.Route;

namespace Innernet.Core.Tests.Client;

/// <summary>The pure rules; the end-to-end refusals against a hostile server are in the client tests.</summary>
public sealed class ServerAnswerValidatorTests
{
    private static InterfaceConfig ConfigFor(string address, string serverIp) => new()
    {
        Interface = new InterfaceInfo("evilcorp", InterfaceAddress.Parse(address), KeyPair.Generate().Private),
        Server = new ServerInfo(
            Fixtures.Server.PublicKey, Endpoint.Parse("192.0.2.1:51820"), new IPEndPoint(IPAddress.Parse(serverIp), 51820)),
    };

    [Fact]
    public void HonestAnswer_Passes()
        => Assert.Null(Record.Exception(
            () => ServerAnswerValidator.Validate(new State(Fixtures.Peers, Fixtures.Cidrs), ConfigFor("10.42.1.1/16", "10.42.0.1"))));

    [Fact]
    public void Ipv4PeerInAnIpv6Network_IsRefused()
    {
        var server = Fixtures.MakePeer(1, "innernet-server", "fd00::1", 2, key: Fixtures.Server.PublicKey);
        var v4 = Fixtures.MakePeer(2, "laptop", "10.42.1.1", 3);

        var e = Assert.Throws<ServerAnswerException>(
            () => ServerAnswerValidator.Validate(new State([server, v4], []), ConfigFor("fd00::2/64", "fd00::1")));

        const string rule = "'laptop' (10.42.1.1): its IP is of another address family than the network fd00::/64";
        Assert.Contains(rule, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NameWithAControlCharacter_IsQuotedEscaped()
    {
        var evil = Fixtures.MakePeer(3, "a\rb", "10.42.1.3", 3);

        var e = Assert.Throws<ServerAnswerException>(
            () => ServerAnswerValidator.Validate(new State([Fixtures.Server, evil], []), ConfigFor("10.42.1.1/16", "10.42.0.1")));

        Assert.Contains("'a\\u000db' (10.42.1.3)", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\r', e.Message);
    }

    [Fact]
    public void AnswerWithoutTheServerPeer_Passes()
    {
        // The server decides what a peer may see; its absence breaks no rule (the tunnel comes from the config).
        Assert.Null(Record.Exception(
            () => ServerAnswerValidator.Validate(new State([Fixtures.Laptop], []), ConfigFor("10.42.1.1/16", "10.42.0.1"))));
    }
}
