using Innernet.Netlink.Route;

namespace Innernet.Netlink.Tests.Route;

public class InterfaceAddressTests
{
    [Theory]
    [InlineData("10.0.0.1/24", "10.0.0.1", 24, "10.0.0.0/24")]
    [InlineData("fd00::1:2/64", "fd00::1:2", 64, "fd00::/64")]
    [InlineData("10.66.2.100/32", "10.66.2.100", 32, "10.66.2.100/32")]
    [InlineData("192.168.77.5/0", "192.168.77.5", 0, "0.0.0.0/0")]
    public void Parse_RoundTripsAndMasksNetwork(string text, string address, int prefix, string network)
    {
        var parsed = InterfaceAddress.Parse(text);
        Assert.Equal(IPAddress.Parse(address), parsed.Address);
        Assert.Equal(prefix, parsed.PrefixLength);
        Assert.Equal(text, parsed.ToString());
        Assert.Equal(IPNetwork.Parse(network), parsed.Network);
    }

    [Theory]
    [InlineData("10.0.0.1")]
    [InlineData("10.0.0.1/33")]
    [InlineData("fd00::1/129")]
    [InlineData("10.0.0.1/-1")]
    [InlineData("nonsense/8")]
    [InlineData("10.0.0.1/ 8")]
    public void Parse_Invalid_ThrowsFormatException(string text) =>
        Assert.Throws<FormatException>(() => InterfaceAddress.Parse(text));

    [Theory]
    [InlineData("10.0.0.1", "'10.0.0.1' is not an address with prefix (expected e.g. 10.42.1.2/16).")]
    [InlineData("fe80::1%2/64", "'fe80::1%2/64': 'fe80::1%2' is not an IP address.")]
    [InlineData("10.0.0.1/0024", "'10.0.0.1/0024': the prefix length must be a number from 0 to 32.")]
    [InlineData("fd00::1/129", "'fd00::1/129': the prefix length must be a number from 0 to 128.")]
    public void TryParse_Invalid_SaysWhatIsWrong(string text, string expected)
    {
        Assert.False(InterfaceAddress.TryParse(text, out var value, out string? error));
        Assert.Equal(expected, error);
        Assert.Equal(default, value);
        Assert.Equal(expected, Assert.Throws<FormatException>(() => InterfaceAddress.Parse(text)).Message);
    }

    [Fact]
    public void TryParse_Null_IsInvalid() => Assert.False(InterfaceAddress.TryParse(null, out _, out _));

    [Theory]
    [InlineData("10.1.2.3", 32)]
    [InlineData("fd00::1", 128)]
    public void MaxPrefix_IsTheFamilyWidth(string address, int expected) =>
        Assert.Equal(expected, InterfaceAddress.MaxPrefix(IPAddress.Parse(address)));
}
