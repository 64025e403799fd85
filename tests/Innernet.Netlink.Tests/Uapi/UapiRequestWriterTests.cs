using System.Net;
using System.Text;
using Innernet.Netlink.Uapi;
using Innernet.Netlink.WireGuard;
using static Innernet.Netlink.Tests.Uapi.UapiTestKeys;

namespace Innernet.Netlink.Tests.Uapi;

public class UapiRequestWriterTests
{
    [Fact]
    public void GetRequest_IsGetLineThenBlankLine() =>
        Assert.Equal("get=1\n\n", Encoding.ASCII.GetString(UapiRequestWriter.GetRequest.Span));

    [Fact]
    public void FormatSet_EmptyConfig_IsSetLineThenBlankLine() =>
        Assert.Equal("set=1\n\n", Format(new DeviceConfig()));

    [Fact]
    public void FormatSet_RemovedAllowedIPs_AreMinusLinesBeforeTheAdditions()
    {
        var config = new DeviceConfig
        {
            Peers =
            {
                new PeerConfig
                {
                    PublicKey = PeerA,
                    UpdateOnly = true,
                    RemoveAllowedIPs = { IPNetwork.Parse("10.9.0.2/32"), IPNetwork.Parse("fd00::2/128") },
                    AllowedIPs = { IPNetwork.Parse("10.9.0.3/32") },
                },
            },
        };

        Assert.Equal(
            "set=1\npublic_key=" + PeerAHex + "\nupdate_only=true\n"
            + "allowed_ip=-10.9.0.2/32\nallowed_ip=-fd00::2/128\nallowed_ip=10.9.0.3/32\n\n",
            Format(config));
    }

    [Fact]
    public void FormatSet_EveryField_MatchesGoldenText()
    {
        var config = new DeviceConfig
        {
            PrivateKey = Private,
            ListenPort = 51820,
            FirewallMark = 4660,
            ReplacePeers = true,
            Peers =
            {
                new PeerConfig
                {
                    PublicKey = PeerA,
                    UpdateOnly = true,
                    ReplaceAllowedIPs = true,
                    PresharedKey = Preshared,
                    Endpoint = new IPEndPoint(IPAddress.Parse("fd00:198:18::1"), 51821),
                    PersistentKeepaliveInterval = 25,
                    AllowedIPs = { IPNetwork.Parse("10.9.0.2/32"), IPNetwork.Parse("fd00::2/128"), IPNetwork.Parse("10.10.0.0/16") },
                },
                new PeerConfig
                {
                    // Remove wins: nothing else of this peer is sent.
                    PublicKey = PeerB,
                    Remove = true,
                    UpdateOnly = true,
                    Endpoint = new IPEndPoint(IPAddress.Parse("198.18.0.9"), 9),
                    AllowedIPs = { IPNetwork.Parse("10.11.0.0/24") },
                },
                new PeerConfig
                {
                    PublicKey = PeerC,
                    PresharedKey = WireGuardKey.Zero,
                    Endpoint = new IPEndPoint(IPAddress.Parse("198.18.0.1"), 51820),
                    PersistentKeepaliveInterval = 0,
                },
            },
        };

        const string Expected =
            "set=1\n" +
            "private_key=" + PrivateHex + "\n" +
            "listen_port=51820\n" +
            "fwmark=4660\n" +
            "replace_peers=true\n" +
            "public_key=" + PeerAHex + "\n" +
            "update_only=true\n" +
            "replace_allowed_ips=true\n" +
            "preshared_key=" + PresharedHex + "\n" +
            "endpoint=[fd00:198:18::1]:51821\n" +
            "persistent_keepalive_interval=25\n" +
            "allowed_ip=10.9.0.2/32\n" +
            "allowed_ip=fd00::2/128\n" +
            "allowed_ip=10.10.0.0/16\n" +
            "public_key=" + PeerBHex + "\n" +
            "remove=true\n" +
            "public_key=" + PeerCHex + "\n" +
            "preshared_key=" + ZeroHex + "\n" +
            "endpoint=198.18.0.1:51820\n" +
            "persistent_keepalive_interval=0\n" +
            "\n";

        Assert.Equal(Expected, Format(config));
    }

    [Fact]
    public void FormatSet_ZeroPrivateKeyAndZeroPort_AreSentNotSkipped()
    {
        var config = new DeviceConfig { PrivateKey = WireGuardKey.Zero, ListenPort = 0, FirewallMark = 0 };
        Assert.Equal("set=1\nprivate_key=" + ZeroHex + "\nlisten_port=0\nfwmark=0\n\n", Format(config));
    }

    [Fact]
    public void FormatSet_ManyAllowedIPs_OneLinePerPrefixInOrder()
    {
        var peer = new PeerConfig { PublicKey = PeerA, ReplaceAllowedIPs = true };
        var expected = new StringBuilder("set=1\npublic_key=" + PeerAHex + "\nreplace_allowed_ips=true\n");
        for (int i = 0; i < 600; i++)
        {
            string v4 = $"10.{i / 256}.{i % 256}.0/24";
            string v6 = $"fd00:{i + 1:x}::/64";
            peer.AllowedIPs.Add(IPNetwork.Parse(v4));
            peer.AllowedIPs.Add(IPNetwork.Parse(v6));
            expected.Append("allowed_ip=").Append(v4).Append('\n').Append("allowed_ip=").Append(v6).Append('\n');
        }

        expected.Append('\n');
        Assert.Equal(expected.ToString(), Format(new DeviceConfig { Peers = { peer } }));
    }

    /// <summary>A set of thousands of peers (megabytes at 10,000) is one request whatever the builder's chunks.</summary>
    [Fact]
    public void EncodeSet_ThousandsOfPeers_AllOfThemInOrder()
    {
        var config = new DeviceConfig { ReplacePeers = true };
        var expected = new StringBuilder("set=1\nreplace_peers=true\n");
        for (int i = 1; i <= 3000; i++)
        {
            string hex = $"{i:x64}";
            string ip = $"10.{i / 256}.{i % 256}.1/32";
            config.Peers.Add(new PeerConfig { PublicKey = WireGuardKey.FromHex(hex), AllowedIPs = { IPNetwork.Parse(ip) } });
            expected.Append("public_key=").Append(hex).Append("\nallowed_ip=").Append(ip).Append('\n');
        }

        byte[] request = UapiRequestWriter.EncodeSet(config);

        Assert.Equal(expected.Append('\n').ToString(), Encoding.ASCII.GetString(request));
        Assert.All(request, b => Assert.InRange(b, (byte)0x0a, (byte)0x7e));
    }

    [Fact]
    public void FormatSet_HasExactlyOneBlankLine_AtTheEnd()
    {
        var config = new DeviceConfig
        {
            ListenPort = 1,
            Peers = { new PeerConfig { PublicKey = PeerA, AllowedIPs = { IPNetwork.Parse("0.0.0.0/0"), IPNetwork.Parse("::/0") } } },
        };
        string text = Format(config);
        Assert.EndsWith("allowed_ip=0.0.0.0/0\nallowed_ip=::/0\n\n", text);
        Assert.Equal(text.Length - 2, text.IndexOf("\n\n", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("127.0.0.1", 51820, "127.0.0.1:51820")]
    [InlineData("198.18.0.1", 1, "198.18.0.1:1")]
    [InlineData("::1", 65535, "[::1]:65535")]
    [InlineData("fd00::a:b", 0, "[fd00::a:b]:0")]
    [InlineData("::ffff:198.18.0.1", 7, "[::ffff:198.18.0.1]:7")]
    public void FormatEndpoint_BracketsIPv6Only(string address, int port, string expected) =>
        Assert.Equal(expected, UapiRequestWriter.FormatEndpoint(new IPEndPoint(IPAddress.Parse(address), port)));

    [Fact]
    public void FormatSet_NullPeer_ThrowsArgumentException()
    {
        var config = new DeviceConfig { Peers = { null! } };
        var e = Assert.Throws<ArgumentException>(() => Format(config));
        Assert.Contains("Peers[0]", e.Message);
    }

    /// <summary>The set request as text (it is all ASCII).</summary>
    private static string Format(DeviceConfig config) => Encoding.ASCII.GetString(UapiRequestWriter.EncodeSet(config));
}
