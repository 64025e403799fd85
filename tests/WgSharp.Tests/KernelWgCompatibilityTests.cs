using Innernet.Netlink;
using Innernet.Netlink.WireGuard;
using Innernet.Testing;

namespace WgSharp.Tests;

/// <summary>
/// The comparison on the kernel module (inside the VM): the device is an <c>ip link add … type wireguard</c>. wg runs as
/// a process; the sample's command code runs in this process with its clients opened inside the namespace
/// (<see cref="NetworkNamespace.Run{T}"/>), because a JIT start of the sample costs about 15 s under the VM's emulation.
/// </summary>
[Trait(Layers.Name, Layers.Kernel)]
public sealed class KernelWgCompatibilityTests : WgCompatibilityTests
{
    protected override void RequirePrerequisites() => Prerequisites.RequireKernelWireGuard();

    protected override void CreateDevice(string ns, string name) =>
        Lab.Exec(ns, "ip", "link", "add", name, "type", "wireguard").EnsureSuccess();

    protected override ProcessResult RunSample(string ns, string[] environment, string[] args)
    {
        var variables = environment.Select(e => e.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        string path = NetnsLab.NamespacePath(ns);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var tool = WgTool.Create(
            variables.GetValueOrDefault,
            // Kernel, not Auto: Auto opens its kernel sockets on first use, in whatever namespace the thread is in by then.
            () => NetworkNamespace.Run(path, () => WgClients.Open(WireGuardBackend.Kernel)),
            () => NetworkNamespace.Run(path, WgClients.KernelAvailable),
            stdout,
            stderr,
            outputIsTerminal: false);
        int exitCode = tool.Run(args);
        string commandLine = $"WgSharp (in this process, {ns}) {string.Join(' ', args)}";
        return new ProcessResult(commandLine, exitCode, stdout.ToString(), stderr.ToString());
    }
}
