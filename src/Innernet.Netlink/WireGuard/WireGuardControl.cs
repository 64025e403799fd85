namespace Innernet.Netlink.WireGuard;

/// <summary>Opens a WireGuard control backend.</summary>
public static class WireGuardControl
{
    /// <summary>
    /// Opens <paramref name="backend"/>: <see cref="WireGuardBackend.Kernel"/> → the kernel's Generic
    /// Netlink family; <see cref="WireGuardBackend.Userspace"/> → UAPI sockets of wireguard-go;
    /// <see cref="WireGuardBackend.Auto"/> (default) → <see cref="AutoWireGuardControl"/>, which picks
    /// per device and opens the kernel side only when needed.
    /// </summary>
    /// <param name="backend">The backend.</param>
    /// <param name="options">Settings for the userspace side (socket directory, implementation, timeouts, key derivation); copied.</param>
    /// <exception cref="InvalidOperationException"><see cref="WireGuardBackend.Kernel"/> was asked for but the kernel WireGuard module is not available.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="backend"/> is not a defined value.</exception>
    public static IWireGuardControl Open(WireGuardBackend backend = WireGuardBackend.Auto, WireGuardControlOptions? options = null) =>
        backend switch
        {
            WireGuardBackend.Kernel => KernelWireGuardControl.TryOpen()
                ?? throw new InvalidOperationException(
                    "The kernel WireGuard module is not available (no \"wireguard\" Generic Netlink family); use --backend userspace."),
            WireGuardBackend.Userspace => new UserspaceWireGuardControl(options),
            WireGuardBackend.Auto => new AutoWireGuardControl(options),
            _ => throw new ArgumentOutOfRangeException(nameof(backend), backend, "Unknown WireGuard backend."),
        };
}
