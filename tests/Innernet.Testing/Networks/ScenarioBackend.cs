namespace Innernet.Testing.Networks;

/// <summary>The WireGuard implementation a scenario runs on (passed to both commands as <c>--backend</c>).</summary>
public enum ScenarioBackend
{
    /// <summary>wireguard-go over its UAPI socket in /run/wireguard (host layer).</summary>
    Userspace,

    /// <summary>The kernel module over Generic Netlink (kernel layer, inside the VM).</summary>
    Kernel,
}
