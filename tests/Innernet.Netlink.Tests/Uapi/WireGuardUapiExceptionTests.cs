using Innernet.Netlink;
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
        var e = new WireGuardUapiException((Errno)given, "x");
        Assert.Equal((Errno)expected, e.Errno);
        Assert.IsAssignableFrom<NetlinkException>(e);
        Assert.IsAssignableFrom<IOException>(e);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(int.MinValue)]
    public void Constructor_ZeroOrUnrepresentableErrno_Throws(int errno) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new WireGuardUapiException((Errno)errno, "x"));

    [Fact]
    public void MessageOnlyConstructors_DefaultToEproto()
    {
        Assert.Equal(Errno.EPROTO, new WireGuardUapiException().Errno);
        Assert.Equal(Errno.EPROTO, new WireGuardUapiException("m").Errno);
        var inner = new InvalidOperationException();
        var e = new WireGuardUapiException("m", inner);
        Assert.Equal(Errno.EPROTO, e.Errno);
        Assert.Same(inner, e.InnerException);
    }
}
