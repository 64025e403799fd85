using Innernet.Netlink;
using Innernet.Netlink.Route;
using Innernet.Testing;

namespace Innernet.Netlink.IntegrationTests.Route;

/// <summary>rtnetlink <c>wireguard</c> links where the module exists (inside the VM), in a lab namespace.</summary>
[Trait(Layers.Name, Layers.Kernel)]
public sealed class KernelRouteNetlinkClientTests : IDisposable
{
    private const uint IFF_NOARP = 0x80;
    private const uint IFF_POINTOPOINT = 0x10;

    private readonly NetnsLab _lab = new();

    public void Dispose() => _lab.Dispose();

    [Fact]
    public void CreateWireGuardLink_ModuleLoaded_CreatesListsSetsUpAndDeletes()
    {
        Prerequisites.RequireKernelWireGuard();
        string ns = _lab.AddNamespace("k");
        string name = _lab.InterfaceName("wg0");
        using var client = NetworkNamespace.Run(NetnsLab.NamespacePath(ns), () => new RouteNetlinkClient());

        var link = client.CreateWireGuardLink(name);

        Assert.Equal(name, link.Name);
        Assert.Equal("wireguard", link.Kind);
        Assert.Equal(1420, link.Mtu);
        Assert.Equal(IFF_POINTOPOINT | IFF_NOARP, link.Flags & (IFF_POINTOPOINT | IFF_NOARP));
        Assert.Equal([name], client.GetWireGuardLinks().Select(l => l.Name));
        Assert.Contains("wireguard", _lab.Exec(ns, "ip", "-d", "link", "show", name).EnsureSuccess().StandardOutput,
            StringComparison.Ordinal);

        client.SetLinkUp(link.Index);
        var up = client.GetLink(link.Index);
        Assert.True(up?.IsUp);
        Assert.Equal(IFF_POINTOPOINT | IFF_NOARP, up!.Flags & (IFF_POINTOPOINT | IFF_NOARP));

        var e = Assert.Throws<NetlinkErrorException>(() => client.CreateWireGuardLink(name)); // the kernel refused
        Assert.Equal(Errno.EEXIST, e.Errno);

        Assert.True(client.DeleteLink(name));
        Assert.Null(client.GetLink(name));
        Assert.Empty(client.GetWireGuardLinks());
    }
}
