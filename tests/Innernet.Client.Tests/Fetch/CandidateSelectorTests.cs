using Innernet.Core.Fetch;
using Innernet.Core.Model;

namespace Innernet.Client.Tests.Fetch;

public sealed class CandidateSelectorTests
{
    private static readonly IPAddress[] Local =
        [IPAddress.Parse("192.168.1.20"), IPAddress.Parse("10.0.0.5"), IPAddress.Parse("2001:db8:5::1"), IPAddress.Parse("192.168.2.1")];

    [Fact]
    public void Select_PairsEachAddressWithThePort_InOrder()
    {
        var selected = CandidateSelector.Select(Local, new NatOptions(), 51999);

        Assert.Equal(Local.Select(a => Endpoint.FromAddress(a, 51999)), selected);
    }

    [Fact]
    public void Select_DropsExcludedNetworks()
    {
        var options = new NatOptions { ExcludeCandidates = [IPNetwork.Parse("192.168.0.0/16"), IPNetwork.Parse("2001:db8::/32")] };

        var selected = CandidateSelector.Select(Local, options, 1);

        Assert.Equal([Endpoint.Parse("10.0.0.5:1")], selected);
    }

    [Fact]
    public void Select_NoCandidates_ReportsNothing()
        => Assert.Empty(CandidateSelector.Select(Local, new NatOptions { NoCandidates = true }, 1));

    [Fact]
    public void Select_CapsAtTen()
    {
        var many = Enumerable.Range(1, 15).Select(i => IPAddress.Parse($"192.0.2.{i}"));

        Assert.Equal(NetworkDefaults.MaxCandidates, CandidateSelector.Select(many, new NatOptions(), 1).Count);
    }
}
