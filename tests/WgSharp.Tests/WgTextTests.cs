using System.Net;

namespace WgSharp.Tests;

/// <summary>The text forms the host comparisons cannot reach (devices there never talk, addresses are few).</summary>
public sealed class WgTextTests
{
    private static readonly Terminal Plain = new(color: false);
    private static readonly Terminal Colored = new(color: true);

    [Theory]
    [InlineData("::", "::")]
    [InlineData("::1", "::1")]
    [InlineData("1::", "1::")]
    [InlineData("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1")] // two equal runs: the first is compressed
    [InlineData("2001:0:0:1:0:0:0:1", "2001:0:0:1::1")] // the longer run wins
    [InlineData("fd00:0:1:2:3:4:5:6", "fd00:0:1:2:3:4:5:6")] // a single zero word stays
    [InlineData("::ffff:10.1.2.3", "::ffff:10.1.2.3")] // IPv4-mapped
    [InlineData("::10.1.2.3", "::10.1.2.3")] // IPv4-compatible
    [InlineData("::ffff:0:0", "::ffff:0.0.0.0")]
    [InlineData("::1:0:0", "::1:0:0")] // five zero words not followed by ffff: plain hex
    [InlineData("FE80::ABCD", "fe80::abcd")]
    [InlineData("10.0.0.1", "10.0.0.1")]
    public void Address_AsInetNtop(string input, string expected) =>
        Assert.Equal(expected, WgText.Address(IPAddress.Parse(input)));

    [Theory]
    [InlineData("10.0.0.1:51820", "10.0.0.1:51820")]
    [InlineData("[2001:db8:0:0:0:0:0:7]:1", "[2001:db8::7]:1")]
    [InlineData("[::ffff:10.0.0.1]:2", "[::ffff:10.0.0.1]:2")]
    public void Endpoint_AsGetnameinfoNumeric(string input, string expected) =>
        Assert.Equal(expected, WgText.Endpoint(IPEndPoint.Parse(input)));

    [Theory]
    [InlineData(1UL, "1 second")]
    [InlineData(25UL, "25 seconds")]
    [InlineData(60UL, "1 minute")]
    [InlineData(3661UL, "1 hour, 1 minute, 1 second")]
    [InlineData(65535UL, "18 hours, 12 minutes, 15 seconds")]
    [InlineData(86400UL * 366, "1 year, 1 day")]
    [InlineData((86400UL * 365 * 2) + (86400 * 2) + 7200 + 120 + 2, "2 years, 2 days, 2 hours, 2 minutes, 2 seconds")]
    public void Duration_LargestUnitsFirstZeroPartsLeftOut(ulong seconds, string expected) =>
        Assert.Equal(expected, WgText.Duration(seconds, Plain));

    [Fact]
    public void Duration_Colored_UnitAndPluralInCyan() =>
        Assert.Equal("2 \x1b[36mminutes\x1b[0m, 1 \x1b[36msecond\x1b[0m", WgText.Duration(121, Colored));

    [Theory]
    [InlineData(100L, 100L, "Now")]
    [InlineData(100L, 190L, "1 minute, 30 seconds ago")]
    [InlineData(200L, 100L, "(System clock wound backward; connection problems may ensue.)")]
    public void Ago_RelativeToNow(long then, long now, string expected) =>
        Assert.Equal(expected, WgText.Ago(then, now, Plain));

    [Theory]
    [InlineData(0UL, "0 B")]
    [InlineData(1023UL, "1023 B")]
    [InlineData(1024UL, "1.00 KiB")]
    [InlineData(1536UL, "1.50 KiB")]
    [InlineData(1048575UL, "1024.00 KiB")] // below 1 MiB stays KiB, rounded like printf("%.2f")
    [InlineData(1048576UL, "1.00 MiB")]
    [InlineData(5905580032UL, "5.50 GiB")]
    [InlineData(1099511627776UL * 3, "3.00 TiB")]
    [InlineData(1099511627776UL * 5000, "5000.00 TiB")]
    public void Bytes_BinaryUnitsTwoDecimals(ulong bytes, string expected) =>
        Assert.Equal(expected, WgText.Bytes(bytes, Plain));
}
