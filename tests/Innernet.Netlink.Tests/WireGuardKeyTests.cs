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

    [Fact]
    public void Equals_AgreesWithTheBytes_ForADifferenceInEveryBitOfEveryByte()
    {
        var random = new Random(11);
        for (int round = 0; round < 64; round++)
        {
            byte[] bytes = new byte[WireGuardKey.Size];
            random.NextBytes(bytes);
            var key = new WireGuardKey(bytes);
            var copy = new WireGuardKey((byte[])bytes.Clone());
            Assert.True(key.Equals(copy));
            Assert.True(key == copy);
            Assert.Equal(key.GetHashCode(), copy.GetHashCode());
            for (int at = 0; at < WireGuardKey.Size * 8; at++)
            {
                byte[] other = (byte[])bytes.Clone();
                other[at / 8] ^= (byte)(1 << (at % 8));
                var changed = new WireGuardKey(other);
                Assert.False(key.Equals(changed), $"keys that differ in bit {at} compared equal");
                Assert.True(key != changed);
            }
        }
    }

    [Fact]
    public void GetHashCode_SpreadsRandomKeys()
    {
        var random = new Random(12);
        var hashes = new HashSet<int>();
        for (int i = 0; i < 10_000; i++)
        {
            byte[] bytes = new byte[WireGuardKey.Size];
            random.NextBytes(bytes);
            hashes.Add(new WireGuardKey(bytes).GetHashCode());
        }

        // 10,000 random 32-bit values collide about a dozen times on average; a hash that ignored bytes would give fewer.
        Assert.True(hashes.Count > 9_900, $"{hashes.Count} distinct hashes of 10,000 keys");
    }
}
