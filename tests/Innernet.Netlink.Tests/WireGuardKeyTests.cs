using Innernet.Netlink.WireGuard;

namespace Innernet.Netlink.Tests;

public class WireGuardKeyTests
{
    private const string Base64 = "SGb+ojrRNDuMePufwtIYhXzA//k6wF3R21tEBgKlzlM=";

    [Fact]
    public void Parse_Base64_RoundTripsThroughHex()
    {
        var key = WireGuardKey.Parse(Base64);
        var hex = key.ToHex();
        Assert.Equal(64, hex.Length);
        Assert.Equal(hex.ToLowerInvariant(), hex);
        Assert.Equal(key, WireGuardKey.FromHex(hex));
        Assert.Equal(Base64, WireGuardKey.FromHex(hex.ToUpperInvariant()).ToBase64());
    }

    [Theory]
    [InlineData("")]
    [InlineData("SGb+ojrRNDuMePufwtIYhXzA//k6wF3R21tEBgKlzl==")]
    [InlineData("SGb+ojrRNDuMePufwtIYhXzA//k6wF3R21tEBgKlzlM")]
    [InlineData("!!!!ojrRNDuMePufwtIYhXzA//k6wF3R21tEBgKlzlM=")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void TryParse_Invalid_ReturnsFalse(string text)
    {
        Assert.False(WireGuardKey.TryParse(text, out _));
        Assert.Throws<FormatException>(() => WireGuardKey.Parse(text));
    }

    [Fact]
    public void Zero_IsZero_AndDefaultEqualsZero()
    {
        Assert.True(WireGuardKey.Zero.IsZero);
        Assert.True(default(WireGuardKey).IsZero);
        Assert.Equal(WireGuardKey.Zero, default);
        Assert.False(WireGuardKey.Parse(Base64).IsZero);
    }
}
