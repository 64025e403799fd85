namespace Innernet.Netlink.WireGuard;

/// <summary>
/// Reads and configures WireGuard devices through one backend (kernel, userspace) or the automatic
/// composite. Implementations own sockets and are not thread-safe: use one instance per thread.
/// </summary>
public interface IWireGuardControl : IDisposable
{
    /// <summary>The backend this instance speaks (<see cref="WireGuardBackend.Auto"/> for the composite).</summary>
    WireGuardBackend Backend { get; }

    /// <summary>Names of the WireGuard devices this backend can see.</summary>
    IReadOnlyList<string> ListDevices();

    /// <summary>Reads a device, or returns null when no such WireGuard device exists.</summary>
    /// <exception cref="ArgumentException">The name is empty, longer than 15 bytes or contains '/', NUL or whitespace.</exception>
    WireGuardDevice? GetDevice(string name);

    /// <summary>
    /// Creates the device if it does not exist (kernel: an rtnetlink <c>wireguard</c> link;
    /// userspace: starts the implementation and waits for its socket). Returns true if it was created.
    /// </summary>
    bool CreateDevice(string name);

    /// <summary>Applies <paramref name="config"/> to an existing device.</summary>
    /// <exception cref="InvalidOperationException">The device does not exist.</exception>
    void ConfigureDevice(string name, DeviceConfig config);

    /// <summary>Deletes the device; returns false when it did not exist.</summary>
    bool DeleteDevice(string name);
}
