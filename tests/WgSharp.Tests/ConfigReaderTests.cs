using System.Net;
using Innernet.Netlink.WireGuard;

namespace WgSharp.Tests;

/// <summary>How files and <c>set</c> arguments become one <see cref="DeviceConfig"/> (the flags wg sends).</summary>
public sealed class ConfigReaderTests
{
    private static readonly string Key = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    [Fact]
    public void ReadFile_SetConf_ReplacesPeersAndResetsWhatTheFileLeavesOut()
    {
        var config = ConfigReader.ReadFile(["[Peer]", $"PublicKey = {Key}"], append: false, TextWriter.Null);

        Assert.True(config.ReplacePeers);
        Assert.Equal(WireGuardKey.Zero, config.PrivateKey);
        Assert.Equal((ushort)0, config.ListenPort);
        Assert.Equal(0u, config.FirewallMark);
        var peer = Assert.Single(config.Peers);
        Assert.True(peer.ReplaceAllowedIPs);
        Assert.Null(peer.Endpoint);
        Assert.Null(peer.PersistentKeepaliveInterval);
        Assert.Null(peer.PresharedKey);
    }

    [Fact]
    public void ReadFile_AddConf_ChangesOnlyWhatTheFileSays()
    {
        var config = ConfigReader.ReadFile(["[Interface]", "ListenPort = 7"], append: true, TextWriter.Null);

        Assert.False(config.ReplacePeers);
        Assert.Null(config.PrivateKey);
        Assert.Null(config.FirewallMark);
        Assert.Equal((ushort)7, config.ListenPort);
    }

    [Fact]
    public void ReadArguments_PeerWithoutAllowedIPs_KeepsItsAllowedIPs()
    {
        var config = ConfigReader.ReadArguments(["peer", Key, "endpoint", "[::1]:9", "persistent-keepalive", "off"], TextWriter.Null);

        var peer = Assert.Single(config.Peers);
        Assert.False(peer.ReplaceAllowedIPs);
        Assert.Equal(IPEndPoint.Parse("[::1]:9"), peer.Endpoint);
        Assert.Equal((ushort)0, peer.PersistentKeepaliveInterval);
        Assert.Null(config.ListenPort);
    }

    [Fact]
    public void ReadArguments_HostBits_MaskedWithWgsWarning()
    {
        var warnings = new StringWriter();

        var config = ConfigReader.ReadArguments(["peer", Key, "allowed-ips", "10.1.2.3/8, fd00::1/16,10.9.9.9"], warnings);

        Assert.Equal(
            [IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("fd00::/16"), IPNetwork.Parse("10.9.9.9/32")],
            Assert.Single(config.Peers).AllowedIPs);
        Assert.Equal(
            "Warning: AllowedIP has nonzero host part: 10.1.2.3/8\nWarning: AllowedIP has nonzero host part: fd00::1/16\n",
            warnings.ToString());
    }

    [Theory]
    [InlineData("1.2.3")]
    [InlineData("1.2.3.256")]
    [InlineData("01.2.3.4")]
    [InlineData("fe80::1%1")]
    public void ReadArguments_AddressInetPtonRefuses_Fails(string address)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigReader.ReadArguments(["peer", Key, "allowed-ips", address], TextWriter.Null));

        Assert.Equal($"Unable to parse IP address: `{address}'", e.Message);
    }
}
