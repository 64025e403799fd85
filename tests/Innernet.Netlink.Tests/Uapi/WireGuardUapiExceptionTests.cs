using Innernet.Netlink.WireGuard;

namespace Innernet.Netlink.Tests.Uapi;

public class WireGuardUapiExceptionTests
{
    [Theory]
    [InlineData(-22, 22)]
    [InlineData(22, 22)]
    [InlineData(-98, 98)]
    public void Constructor_Errno_IsPositive(int given, int expected)
    {
        var e = new WireGuardUapiException(given, "x");
        Assert.Equal(expected, e.Errno);
        Assert.IsAssignableFrom<IOException>(e);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(int.MinValue)]
    public void Constructor_ZeroOrUnrepresentableErrno_Throws(int errno) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new WireGuardUapiException(errno, "x"));

    [Fact]
    public void MessageOnlyConstructors_DefaultToEproto()
    {
        Assert.Equal(71, new WireGuardUapiException().Errno);
        Assert.Equal(71, new WireGuardUapiException("m").Errno);
        var inner = new InvalidOperationException();
        var e = new WireGuardUapiException("m", inner);
        Assert.Equal(71, e.Errno);
        Assert.Same(inner, e.InnerException);
    }
}
