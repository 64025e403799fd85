using System.Runtime.Versioning;
using System.Threading;
using System.Threading.Tasks;

namespace Innernet.Netlink.WireGuard;

/// <summary>
/// Reads and configures WireGuard devices. <see cref="Open"/> is the one way in: it returns the kernel backend
/// (Generic Netlink), the userspace backend (UAPI sockets of wireguard-go and compatibles) or the automatic one
/// that picks per device. Instances own sockets and are not thread-safe: use one per thread.
/// </summary>
/// <remarks>
/// <para>
/// One rule for a device that does not exist, in every backend: <see cref="GetDevice"/> returns null,
/// <see cref="DeleteDevice"/> returns false, <see cref="CreateDevice"/> creates it, and
/// <see cref="ConfigureDevice"/> throws <see cref="NetlinkException"/> with <see cref="Errno.ENODEV"/> (the kernel's
/// own answer, when there is one, is its <see cref="Exception.InnerException"/>). A name held by a link that is not a
/// WireGuard device counts as "no such WireGuard device",
/// except for <see cref="CreateDevice"/>, which then throws with <see cref="Errno.EEXIST"/>.
/// </para>
/// <para>
/// Every operation has an asynchronous twin (<see cref="GetDeviceAsync"/>, <see cref="ConfigureDeviceAsync"/>, ...)
/// that takes a <see cref="CancellationToken"/>. The userspace backend implements them with non-blocking socket I/O
/// (and, to create a device, a non-blocking wait for the implementation and its socket): a cancelled call closes its
/// connection and throws <see cref="OperationCanceledException"/>; a cancelled configure leaves the device untouched
/// (cancelled before the request was sent) or fully configured (cancelled while waiting for the answer), never half,
/// because a request is always sent whole. The kernel backend, whose netlink calls do not wait on another process,
/// uses the default: check the token once, then run the synchronous operation on the calling thread.
/// </para>
/// <para>
/// The class is abstract so that callers can substitute a fake in their tests; new members will be added as
/// virtual members with a default behaviour, so a subclass keeps compiling.
/// </para>
/// </remarks>
public abstract class WireGuardClient : IDisposable
{
    /// <summary>For subclasses (test doubles, decorators); applications get an instance from <see cref="Open"/>.</summary>
    protected WireGuardClient()
    {
    }

    /// <summary>
    /// Opens <paramref name="backend"/>: <see cref="WireGuardBackend.Kernel"/> → the kernel's <c>wireguard</c> Generic
    /// Netlink family (Linux only); <see cref="WireGuardBackend.Userspace"/> → UAPI sockets (any OS with Unix
    /// sockets; the library's Linux-only code is never reached); <see cref="WireGuardBackend.Auto"/> (default) →
    /// per device, a live UAPI socket first, then the kernel family when the OS is Linux and the module is loaded.
    /// The kernel side is opened lazily, in the network namespace of the thread that first needs it.
    /// </summary>
    /// <param name="backend">The backend.</param>
    /// <param name="options">Settings for the userspace side (socket directory, implementation, timeouts, key derivation); copied.</param>
    /// <returns>A client the caller disposes.</returns>
    /// <exception cref="NetlinkException">
    /// <see cref="WireGuardBackend.Kernel"/> was asked for but the kernel has no <c>wireguard</c> family
    /// (<see cref="Errno.ENOENT"/>), or a netlink socket could not be opened.
    /// </exception>
    /// <exception cref="PlatformNotSupportedException"><see cref="WireGuardBackend.Kernel"/> on an OS other than Linux.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="backend"/> is not a defined value.</exception>
    public static WireGuardClient Open(WireGuardBackend backend = WireGuardBackend.Auto, WireGuardClientOptions? options = null) =>
        backend switch
        {
            WireGuardBackend.Kernel => OperatingSystem.IsLinux()
                ? OpenKernel()
                : throw new PlatformNotSupportedException("The kernel WireGuard backend needs Linux."),
            WireGuardBackend.Userspace => new UserspaceWireGuardClient(options),
            WireGuardBackend.Auto => new AutoWireGuardClient(options),
            _ => throw new ArgumentOutOfRangeException(nameof(backend), backend, "Unknown WireGuard backend."),
        };

    /// <summary>The backend this instance speaks (<see cref="WireGuardBackend.Auto"/> for the automatic one).</summary>
    public abstract WireGuardBackend Backend { get; }

    /// <summary>Names of the WireGuard devices this backend can see, sorted ordinally.</summary>
    /// <returns>The device names.</returns>
    /// <exception cref="NetlinkException">The backend failed.</exception>
    public abstract IReadOnlyList<string> ListDevices();

    /// <summary>Reads a device, or returns null when no such WireGuard device exists.</summary>
    /// <param name="name">The interface name.</param>
    /// <returns>The device, or null.</returns>
    /// <exception cref="ArgumentException">The name is empty, longer than 15 bytes or contains '/', NUL or whitespace.</exception>
    /// <exception cref="NetlinkException">The backend failed.</exception>
    public abstract WireGuardDevice? GetDevice(string name);

    /// <summary>
    /// Creates the device if it does not exist (kernel: an rtnetlink <c>wireguard</c> link; userspace: starts the
    /// implementation and waits for its socket).
    /// </summary>
    /// <param name="name">The interface name.</param>
    /// <returns>True if it was created, false if the WireGuard device already existed.</returns>
    /// <exception cref="ArgumentException">The name is not a valid interface name.</exception>
    /// <exception cref="NetlinkException">
    /// <see cref="Errno.EEXIST"/> when a link of that name exists but is not a WireGuard device; other failures.
    /// </exception>
    public abstract bool CreateDevice(string name);

    /// <summary>
    /// Applies <paramref name="config"/> to an existing device. Not transactional: on failure, earlier parts stay applied.
    /// </summary>
    /// <param name="name">The interface name.</param>
    /// <param name="config">The change; null settings are left as they are.</param>
    /// <exception cref="ArgumentException">The name is not a valid interface name, or the config holds an unusable value.</exception>
    /// <exception cref="NetlinkException"><see cref="Errno.ENODEV"/> when the device does not exist; other failures.</exception>
    public abstract void ConfigureDevice(string name, DeviceConfig config);

    /// <summary>Deletes the device.</summary>
    /// <param name="name">The interface name.</param>
    /// <returns>False when it did not exist.</returns>
    /// <exception cref="ArgumentException">The name is not a valid interface name.</exception>
    /// <exception cref="NetlinkException">The backend failed.</exception>
    public abstract bool DeleteDevice(string name);

    /// <summary>The asynchronous form of <see cref="ListDevices"/>.</summary>
    /// <param name="cancellationToken">Cancels the call; by default checked once before <see cref="ListDevices"/> runs.</param>
    /// <returns>The device names, sorted ordinally.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="NetlinkException">The backend failed.</exception>
    public virtual ValueTask<IReadOnlyList<string>> ListDevicesAsync(CancellationToken cancellationToken = default) =>
        RunSynchronously(ListDevices, cancellationToken);

    /// <summary>The asynchronous form of <see cref="GetDevice"/>.</summary>
    /// <param name="name">The interface name.</param>
    /// <param name="cancellationToken">Cancels the call; by default checked once before <see cref="GetDevice"/> runs.</param>
    /// <returns>The device, or null when no such WireGuard device exists.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ArgumentException">The name is not a valid interface name.</exception>
    /// <exception cref="NetlinkException">The backend failed.</exception>
    public virtual ValueTask<WireGuardDevice?> GetDeviceAsync(string name, CancellationToken cancellationToken = default) =>
        RunSynchronously(() => GetDevice(name), cancellationToken);

    /// <summary>The asynchronous form of <see cref="CreateDevice"/>.</summary>
    /// <param name="name">The interface name.</param>
    /// <param name="cancellationToken">Cancels the call; by default checked once before <see cref="CreateDevice"/> runs.</param>
    /// <returns>True if it was created, false if the WireGuard device already existed.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ArgumentException">The name is not a valid interface name.</exception>
    /// <exception cref="NetlinkException">As for <see cref="CreateDevice"/>.</exception>
    public virtual ValueTask<bool> CreateDeviceAsync(string name, CancellationToken cancellationToken = default) =>
        RunSynchronously(() => CreateDevice(name), cancellationToken);

    /// <summary>
    /// The asynchronous form of <see cref="ConfigureDevice"/>. A cancelled call leaves the device untouched or fully
    /// configured, never half (see the class remarks).
    /// </summary>
    /// <param name="name">The interface name.</param>
    /// <param name="config">The change; null settings are left as they are.</param>
    /// <param name="cancellationToken">Cancels the call; by default checked once before <see cref="ConfigureDevice"/> runs.</param>
    /// <returns>A task that completes when the device has been configured.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ArgumentException">The name is not a valid interface name, or the config holds an unusable value.</exception>
    /// <exception cref="NetlinkException"><see cref="Errno.ENODEV"/> when the device does not exist; other failures.</exception>
    public virtual ValueTask ConfigureDeviceAsync(string name, DeviceConfig config, CancellationToken cancellationToken = default)
    {
        var result = RunSynchronously(() => { ConfigureDevice(name, config); return true; }, cancellationToken);
        return result.IsCompletedSuccessfully ? ValueTask.CompletedTask : new ValueTask(result.AsTask());
    }

    /// <summary>The asynchronous form of <see cref="DeleteDevice"/>.</summary>
    /// <param name="name">The interface name.</param>
    /// <param name="cancellationToken">Cancels the call; by default checked once before <see cref="DeleteDevice"/> runs.</param>
    /// <returns>False when it did not exist.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ArgumentException">The name is not a valid interface name.</exception>
    /// <exception cref="NetlinkException">The backend failed.</exception>
    public virtual ValueTask<bool> DeleteDeviceAsync(string name, CancellationToken cancellationToken = default) =>
        RunSynchronously(() => DeleteDevice(name), cancellationToken);

    /// <summary>Closes the sockets this instance holds.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the instance's resources.</summary>
    /// <param name="disposing">True when called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
    }

    /// <summary>
    /// Whether the backend removes single allowed IPs (<see cref="PeerConfig.RemoveAllowedIPs"/>) for the device: null until
    /// probed (or for backends that do not probe), then what the probe found.
    /// </summary>
    internal virtual bool? RemovesSingleAllowedIPs(string name) => null;

    /// <summary>The error a backend reports for a device it does not have (one rule for every backend).</summary>
    internal static NetlinkException NoSuchDevice(string name, string detail, Exception? inner = null) =>
        new(Errno.ENODEV, $"configure {name}", $"There is no WireGuard device named '{name}': {detail}", inner);

    /// <summary>
    /// The default of the asynchronous members: a cancelled token gives a cancelled task, otherwise
    /// <paramref name="operation"/> runs on the calling thread and its result or exception becomes the task's.
    /// </summary>
    private static ValueTask<T> RunSynchronously<T>(Func<T> operation, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<T>(cancellationToken);
        }

        try
        {
            return ValueTask.FromResult(operation());
        }
#pragma warning disable CA1031 // every exception belongs to the returned task, as with an async method
        catch (Exception e)
#pragma warning restore CA1031
        {
            return ValueTask.FromException<T>(e);
        }
    }

    [SupportedOSPlatform("linux")]
    private static KernelWireGuardClient OpenKernel() =>
        KernelWireGuardClient.TryOpen() ?? throw new NetlinkException(
            Errno.ENOENT,
            "open the kernel WireGuard backend",
            "The kernel WireGuard module is not available (no \"wireguard\" Generic Netlink family).",
            null);
}
