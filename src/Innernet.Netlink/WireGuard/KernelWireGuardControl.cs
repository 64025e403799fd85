namespace Innernet.Netlink.WireGuard;

/// <summary>
/// WireGuard devices of the Linux kernel module, over the <c>wireguard</c> Generic Netlink family
/// (and rtnetlink for creating and deleting links). Work in progress: the netlink implementation lands
/// in the next commit; until then the kernel backend reports itself unavailable.
/// </summary>
public sealed class KernelWireGuardControl : IWireGuardControl
{
    private KernelWireGuardControl()
    {
    }

    /// <inheritdoc />
    public WireGuardBackend Backend => WireGuardBackend.Kernel;

    /// <summary>Opens the backend, or returns null when the kernel has no <c>wireguard</c> family.</summary>
    public static KernelWireGuardControl? TryOpen() => null;

    /// <summary>True when the kernel has the <c>wireguard</c> Generic Netlink family.</summary>
    public static bool IsAvailable() => false;

    /// <inheritdoc />
    public IReadOnlyList<string> ListDevices() => throw new NotSupportedException();

    /// <inheritdoc />
    public WireGuardDevice? GetDevice(string name) => throw new NotSupportedException();

    /// <inheritdoc />
    public bool CreateDevice(string name) => throw new NotSupportedException();

    /// <inheritdoc />
    public void ConfigureDevice(string name, DeviceConfig config) => throw new NotSupportedException();

    /// <inheritdoc />
    public bool DeleteDevice(string name) => throw new NotSupportedException();

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
