using Innernet.Core.Model;
using Innernet.Core.Persistence;
using Innernet.Netlink.WireGuard;
using LiteDB;

namespace Innernet.Core.Tests.Persistence;

public sealed class StoreMapperTests
{
    private readonly BsonMapper _mapper = StoreMapper.Create();

    [Theory]
    [InlineData("10.42.1.7")]
    [InlineData("fd00:42::7")]
    public void IPAddress_RoundTripsAsText(string text)
    {
        var value = _mapper.Serialize(IPAddress.Parse(text));

        Assert.Equal(text, value.AsString);
        Assert.Equal(IPAddress.Parse(text), _mapper.Deserialize<IPAddress>(value));
    }

    [Theory]
    [InlineData("10.42.0.0/16")]
    [InlineData("fd00:42::/64")]
    public void IPNetwork_RoundTripsAsText(string text)
    {
        var value = _mapper.Serialize(IPNetwork.Parse(text));

        Assert.Equal(text, value.AsString);
        Assert.Equal(IPNetwork.Parse(text), _mapper.Deserialize<IPNetwork>(value));
    }

    [Fact]
    public void WireGuardKey_RoundTripsAsBase64()
    {
        var key = WireGuardKey.Parse("DD5yKRfzExcV5+kDnTroDgCU15latdMjiQ59j1hEuk8=");
        var value = _mapper.Serialize(key);

        Assert.Equal("DD5yKRfzExcV5+kDnTroDgCU15latdMjiQ59j1hEuk8=", value.AsString);
        Assert.Equal(key, _mapper.Deserialize<WireGuardKey>(value));
    }

    [Theory]
    [InlineData("198.51.100.4:51820")]
    [InlineData("[2001:db8::4]:51820")]
    [InlineData("vpn.example.com:51820")]
    public void Endpoint_RoundTripsAsHostPort(string text)
    {
        var value = _mapper.Serialize(Endpoint.Parse(text));

        Assert.Equal(text, value.AsString);
        Assert.Equal(Endpoint.Parse(text), _mapper.Deserialize<Endpoint>(value));
    }

    [Fact]
    public void DateTimeOffset_IsStoredAsWholeUnixSeconds()
    {
        var time = new DateTimeOffset(2027, 1, 2, 3, 4, 5, 999, TimeSpan.FromHours(-5));

        var value = _mapper.Serialize(time);

        Assert.Equal(time.ToUnixTimeSeconds(), value.AsInt64);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(time.ToUnixTimeSeconds()), _mapper.Deserialize<DateTimeOffset>(value));
        Assert.Equal(StoreMapper.ToStoredPrecision(time), _mapper.Deserialize<DateTimeOffset>(value));
    }

    [Fact]
    public void NullableValues_RoundTripNull()
    {
        Assert.Null(_mapper.Deserialize<DateTimeOffset?>(BsonValue.Null));
        Assert.Null(_mapper.Deserialize<Endpoint?>(BsonValue.Null));
    }

    [Theory]
    [InlineData(typeof(IPAddress), "banana")]
    [InlineData(typeof(IPNetwork), "10.42.0.1/16")]
    [InlineData(typeof(WireGuardKey), "short")]
    [InlineData(typeof(Endpoint), "no-port")]
    public void Deserialize_DamagedText_ThrowsStoreExceptionNamingTheType(Type type, string stored)
    {
        var e = Assert.Throws<StoreException>(() => _mapper.Deserialize(type, new BsonValue(stored)));
        Assert.Contains($"'{stored}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deserialize_WrongBsonType_ThrowsStoreException()
    {
        Assert.Throws<StoreException>(() => _mapper.Deserialize<IPAddress>(new BsonValue(42)));
        Assert.Throws<StoreException>(() => _mapper.Deserialize<DateTimeOffset>(new BsonValue("yesterday")));
    }
}
