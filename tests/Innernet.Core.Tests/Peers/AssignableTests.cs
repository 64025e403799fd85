using Innernet.Core.Peers;

namespace Innernet.Core.Tests.Peers;

public sealed class AssignableTests
{
    [Theory]
    [InlineData("10.42.1.0", "10.42.1.0/24", false)]
    [InlineData("10.42.1.255", "10.42.1.0/24", false)]
    [InlineData("10.42.1.1", "10.42.1.0/24", true)]
    [InlineData("10.42.1.254", "10.42.1.0/24", true)]
    [InlineData("10.42.2.1", "10.42.1.0/24", false)]
    [InlineData("10.42.1.0", "10.42.1.0/31", true)]
    [InlineData("10.42.1.1", "10.42.1.0/31", true)]
    [InlineData("10.42.1.7", "10.42.1.7/32", true)]
    [InlineData("10.42.1.0", "10.42.1.0/30", false)]
    [InlineData("10.42.1.3", "10.42.1.0/30", false)]
    [InlineData("fd00::", "fd00::/64", false)]
    [InlineData("fd00::1", "fd00::/64", true)]
    [InlineData("fd00::ffff:ffff:ffff:ffff", "fd00::/64", true)]
    [InlineData("fd00::", "fd00::/127", true)]
    [InlineData("fd00::", "fd00::/128", true)]
    [InlineData("fd01::1", "fd00::/64", false)]
    [InlineData("::ffff:10.42.1.1", "10.42.1.0/24", false)]
    [InlineData("10.42.1.1", "fd00::/64", false)]
    public void IsAssignable_FollowsInnernetRules(string ip, string cidr, bool expected)
        => Assert.Equal(expected, Assignable.IsAssignable(IPAddress.Parse(ip), IPNetwork.Parse(cidr)));
}
