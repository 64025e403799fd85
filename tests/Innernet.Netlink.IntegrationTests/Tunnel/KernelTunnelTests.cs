using Innernet.Netlink.WireGuard;
using Innernet.Testing;

namespace Innernet.Netlink.IntegrationTests.Tunnel;

/// <summary>The tunnel with kernel WireGuard on both sides (inside the VM); devices created by the library.</summary>
[Trait(Layers.Name, Layers.Kernel)]
public sealed class KernelTunnelTests : TwoNamespaceTunnelTests
{
    protected override void RequirePrerequisites() => Prerequisites.RequireKernelWireGuard();

    protected override WireGuardClient CreateDevice(string ns, string name)
    {
        var control = NetworkNamespace.Run(NetnsLab.NamespacePath(ns), () => KernelWireGuardClient.TryOpen())
            ?? throw new InvalidOperationException("the wireguard Generic Netlink family is missing although the module is loaded");
        Assert.True(control.CreateDevice(name));
        return control;
    }
}
