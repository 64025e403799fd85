using Innernet.Core.Model;
using Innernet.Core.Sync;

namespace Innernet.Core.Tests.Sync;

public sealed class EndpointOverridesTests
{
    [Fact]
    public void Apply_ReplacesEndpointOfMatchingIpOnly()
    {
        var overrides = new Dictionary<IPAddress, Endpoint> { [IPAddress.Parse("10.42.1.1")] = Endpoint.Parse("192.168.0.12:51820") };

        var result = EndpointOverrides.Apply(Fixtures.Peers, overrides);

        Assert.Equal(Fixtures.Server, result[0]);
        Assert.Equal("192.168.0.12:51820", result[1].Endpoint?.ToString());
        Assert.Null(Fixtures.Laptop.Endpoint);
    }
}
