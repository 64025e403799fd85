namespace Innernet.Server.Tests;

/// <summary>
/// What only the IPv6 fixture has: its private network namespace. The API tests run over both families as theories
/// (<see cref="FamilyServer"/>): state and redeem in <see cref="UserEndpointsTests"/>, authentication in
/// <see cref="SessionMiddlewareTests"/>, peer creation in <see cref="AdminPeerEndpointsTests"/>.
/// </summary>
[Trait(Layers.Name, Layers.Host)]
public sealed class Ipv6ApiTests
{
    [Fact]
    public void Namespace_IsPrivate_TheRootNamespaceHasNoTestAddress()
    {
        Prerequisites.RequireRoot();
        var root = ProcessRunner.Run("ip", ["-6", "address", "show", "dev", "lo"]);

        Assert.DoesNotContain("fd00:1337", root.StandardOutput, StringComparison.Ordinal);
    }
}
