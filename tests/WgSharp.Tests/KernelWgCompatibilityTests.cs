using Innernet.Testing;

namespace WgSharp.Tests;

/// <summary>The comparison on the kernel module (inside the VM): the device is an <c>ip link add … type wireguard</c>.</summary>
[Trait(Layers.Name, Layers.Kernel)]
public sealed class KernelWgCompatibilityTests : WgCompatibilityTests
{
    protected override void RequirePrerequisites() => Prerequisites.RequireKernelWireGuard();

    protected override void CreateDevice(string ns, string name) =>
        Lab.Exec(ns, "ip", "link", "add", name, "type", "wireguard").EnsureSuccess();
}
