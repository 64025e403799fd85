using Innernet.Core.Contracts;

namespace Innernet.Core.Tests.Contracts;

public sealed class CidrTextTests
{
    [Theory]
    [InlineData("10.42.0.0/16")]
    [InlineData("fd00:42::/64")]
    [InlineData("0.0.0.0/0")]
    public void TryParse_Valid_IsTheNetwork(string text)
    {
        Assert.True(CidrText.TryParse(text, out var network, out string? error));
        Assert.Null(error);
        Assert.Equal(IPNetwork.Parse(text), network);
    }

    [Theory]
    [InlineData("10.42.0.0", "'10.42.0.0' is not a CIDR: expected address/prefix, e.g. 10.42.0.0/16.")]
    [InlineData("banana/8", "'banana/8' is not a CIDR: 'banana' is not an IP address.")]
    [InlineData("fe80::%2/64", "'fe80::%2/64' is not a CIDR: 'fe80::%2' is not an IP address.")]
    [InlineData("10.42.0.0/33", "'10.42.0.0/33' is not a CIDR: the prefix length must be a number from 0 to 32.")]
    [InlineData("fd00::/+64", "'fd00::/+64' is not a CIDR: the prefix length must be a number from 0 to 128.")]
    [InlineData("10.42.1.5/24", "'10.42.1.5/24' is not a CIDR: it has host bits set (did you mean 10.42.1.0/24?).")]
    public void TryParse_Invalid_SaysWhatIsWrong(string text, string expected)
    {
        Assert.False(CidrText.TryParse(text, out var network, out string? error));
        Assert.Equal(expected, error);
        Assert.Equal(default, network);
    }
}
