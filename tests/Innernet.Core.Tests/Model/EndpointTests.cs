using Innernet.Core.Model;

namespace Innernet.Core.Tests.Model;

public sealed class EndpointTests
{
    [Theory]
    [InlineData("203.0.113.7:51820", "203.0.113.7", 51820)]
    [InlineData("[2001:db8::1]:51820", "2001:db8::1", 51820)]
    [InlineData("[2001:DB8:0:0:0:0:0:1]:1", "2001:db8::1", 1)]
    [InlineData("[::]:51820", "::", 51820)]
    [InlineData("0.0.0.0:1234", "0.0.0.0", 1234)]
    [InlineData("vpn.example.com:51820", "vpn.example.com", 51820)]
    [InlineData("VPN.Example.COM:65535", "vpn.example.com", 65535)]
    [InlineData("localhost:0", "localhost", 0)]
    [InlineData("255.0.10.100:7", "255.0.10.100", 7)]
    [InlineData("host.0x7g:80", "host.0x7g", 80)]
    public void Parse_ValidText_SplitsHostAndPort(string text, string host, int port)
    {
        var endpoint = Endpoint.Parse(text);

        Assert.Equal(host, endpoint.Host);
        Assert.Equal(port, endpoint.Port);
    }

    [Theory]
    [InlineData("203.0.113.7:51820")]
    [InlineData("[2001:db8::1]:51820")]
    [InlineData("[::]:51820")]
    [InlineData("[fd00::1:0:0:2]:9")]
    [InlineData("[1::]:9")]
    [InlineData("[1:0:0:2::3]:9")]
    [InlineData("[1:2:3:4:5:6:7:8]:9")]
    [InlineData("[1:0:2:3:4:5:6:7]:9")]
    [InlineData("vpn.example.com:51820")]
    public void ToString_CanonicalText_RoundTrips(string text) => Assert.Equal(text, Endpoint.Parse(text).ToString());

    [Fact]
    public void ToString_Ipv4MappedIpv6_UsesWhatwgHexForm()
        => Assert.Equal("[::ffff:102:304]:5", Endpoint.Parse("[::ffff:1.2.3.4]:5").ToString());

    [Theory]
    [InlineData("", "empty")]
    [InlineData("1.2.3.4", "no port")]
    [InlineData("1.2.3.4:", "invalid port")]
    [InlineData("1.2.3.4:65536", "invalid port")]
    [InlineData("1.2.3.4:-1", "invalid port")]
    [InlineData("1.2.3.4: 80", "invalid port")]
    [InlineData(":80", "empty host")]
    [InlineData("2001:db8::1:51820", "without brackets")]
    [InlineData("[2001:db8::1:51820", "unterminated")]
    [InlineData("[1.2.3.4]:80", "invalid IPv6")]
    [InlineData("[fe80::1%eth0]:80", "invalid IPv6")]
    [InlineData("1.2.3.256:80", "invalid IPv4")]
    [InlineData("1.2.3:80", "invalid IPv4")]
    [InlineData("01.2.3.4:80", "invalid IPv4")]
    [InlineData("1.2.3.4.5:80", "invalid IPv4")]
    [InlineData("1.2.3.4.:80", "invalid IPv4")]
    [InlineData("1..3.4:80", "invalid IPv4")]
    [InlineData("1.2.3.1234:80", "invalid IPv4")]
    [InlineData("1.2.0x7f:80", "invalid IPv4")]
    [InlineData("host.123:80", "invalid IPv4")]
    [InlineData("bad host:80", "not allowed")]
    [InlineData("a/b:80", "not allowed")]
    public void TryParse_InvalidText_ExplainsWhy(string text, string expected)
    {
        Assert.False(Endpoint.TryParse(text, out var endpoint, out string? error));
        Assert.Null(endpoint);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        var e = Assert.Throws<ValidationException>(() => Endpoint.Parse(text));
        Assert.Equal(error, e.Message);
    }

    [Theory]
    [InlineData("0.0.0.0:1", true)]
    [InlineData("[::]:1", true)]
    [InlineData("1.2.3.4:1", false)]
    [InlineData("example.com:1", false)]
    public void IsUnspecified_MatchesAnyAddress(string text, bool expected) => Assert.Equal(expected, Endpoint.Parse(text).IsUnspecified);

    [Fact]
    public void TryGetIPEndPoint_IpLiteral_ReturnsSocketAddress()
    {
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8::1"), 7), Endpoint.Parse("[2001:db8::1]:7").TryGetIPEndPoint());
        Assert.Null(Endpoint.Parse("example.com:7").TryGetIPEndPoint());
    }

    [Fact]
    public void FromIPEndPoint_MappedIpv4_UnmapsToIpv4()
    {
        var endpoint = Endpoint.FromIPEndPoint(new IPEndPoint(IPAddress.Parse("1.2.3.4").MapToIPv6(), 51820));
        Assert.Equal("1.2.3.4:51820", endpoint.ToString());
    }

    [Fact]
    public void FromAddress_ScopedIpv6_Throws()
        => Assert.Throws<ValidationException>(() => Endpoint.FromAddress(IPAddress.Parse("fe80::1%2"), 1));

    [Fact]
    public void Equality_SameCanonicalForm_IsEqual()
    {
        Assert.Equal(Endpoint.Parse("[2001:DB8::1]:5"), Endpoint.Parse("[2001:db8:0::1]:5"));
        Assert.NotEqual(Endpoint.Parse("1.2.3.4:5"), Endpoint.Parse("1.2.3.4:6"));
        Assert.True(Endpoint.Parse("a.b:1") == Endpoint.Parse("A.B:1"));
    }

    [Fact]
    public void WithPort_KeepsHost() => Assert.Equal("[::1]:9", Endpoint.Parse("[::1]:5").WithPort(9).ToString());
}
