using Innernet.Netlink.WireGuard;
using Innernet.Testing;

namespace Innernet.Netlink.IntegrationTests.Tunnel;

/// <summary>The tunnel with wireguard-go on both sides (the lab starts each inside its namespace).</summary>
[Trait(Layers.Name, Layers.Host)]
public sealed class UserspaceTunnelTests : TwoNamespaceTunnelTests
{
    protected override void RequirePrerequisites() => Prerequisites.RequireWireGuardGo();

    protected override WireGuardClient CreateDevice(string ns, string name)
    {
        Lab.StartWireGuardGo(ns, name);
        return new UserspaceWireGuardClient(new WireGuardClientOptions { SocketDirectory = WireGuardGoSockets.Directory });
    }
}
