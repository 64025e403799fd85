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
}
