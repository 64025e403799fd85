using Innernet.Netlink.Errors;
using Innernet.Netlink.Uapi;
using System.Threading;
using System.Threading.Tasks;

namespace Innernet.Netlink.WireGuard;

/// <summary>
/// Chooses the backend per device, like <c>wg(8)</c>: a device whose UAPI socket accepts a connection
/// is a userspace device (a live socket is authoritative, even on a kernel with WireGuard); otherwise
/// the kernel's <c>wireguard</c> Generic Netlink family is asked when it exists. New devices are
/// kernel devices when the module is available, else userspace ones; a kernel that answers
/// <c>EOPNOTSUPP</c> ("Unknown device type") to the link creation also falls back to userspace. The
/// kernel backend is opened lazily, on first need, and at most once. Not thread-safe.
/// </summary>
internal sealed class AutoWireGuardClient : WireGuardClient
{
    private readonly UserspaceWireGuardClient _userspace;
    private readonly Func<WireGuardClient?> _openKernel;
    private WireGuardClient? _kernel;
    private bool _kernelOpened;
    private bool _disposed;

    /// <summary>Creates the composite; <paramref name="options"/> configure the userspace side.</summary>
    public AutoWireGuardClient(WireGuardClientOptions? options)
        : this(new UserspaceWireGuardClient(options), OpenKernelIfLinux)
    {
    }

    /// <summary>Test seam: any userspace backend and kernel opener (null from it = no kernel module).</summary>
    internal AutoWireGuardClient(UserspaceWireGuardClient userspace, Func<WireGuardClient?> openKernel)
    {
        _userspace = userspace;
        _openKernel = openKernel;
    }

    /// <inheritdoc />
    public override WireGuardBackend Backend => WireGuardBackend.Auto;

    /// <summary>The union of the userspace and kernel devices (a name seen by both appears once), sorted ordinally.</summary>
    public override IReadOnlyList<string> ListDevices()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var names = new SortedSet<string>(_userspace.ListDevices(), StringComparer.Ordinal);
        if (Kernel() is { } kernel)
        {
            names.UnionWith(kernel.ListDevices());
        }

        return [.. names];
    }

    /// <inheritdoc cref="ListDevices"/>
    public override async ValueTask<IReadOnlyList<string>> ListDevicesAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var userspace = await _userspace.ListDevicesAsync(cancellationToken).ConfigureAwait(false);
        var names = new SortedSet<string>(userspace, StringComparer.Ordinal);
        if (Kernel() is { } kernel)
        {
            names.UnionWith(await kernel.ListDevicesAsync(cancellationToken).ConfigureAwait(false));
        }

        return [.. names];
    }

    /// <summary>The userspace device when its socket is live, else the kernel device, else null.</summary>
    /// <exception cref="ArgumentException">The name is not a valid interface name.</exception>
    public override WireGuardDevice? GetDevice(string name)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _userspace.GetDevice(name) ?? Kernel()?.GetDevice(name);
    }

    /// <inheritdoc cref="GetDevice"/>
    public override async ValueTask<WireGuardDevice?> GetDeviceAsync(string name, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (await _userspace.GetDeviceAsync(name, cancellationToken).ConfigureAwait(false) is { } device)
        {
            return device;
        }

        return Kernel() is { } kernel ? await kernel.GetDeviceAsync(name, cancellationToken).ConfigureAwait(false) : null;
    }

    /// <summary>
    /// Returns false when the device exists in either backend. Otherwise creates a kernel device when
    /// the module is available (falling back to userspace on <c>EOPNOTSUPP</c>), else starts the
    /// userspace implementation.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not a valid interface name.</exception>
    public override bool CreateDevice(string name)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        InterfaceName.Validate(name);
        if (_userspace.HasDevice(name))
        {
            return false;
        }

        return TryCreateKernelDevice(name) ?? _userspace.CreateDevice(name);
    }

    /// <summary>The kernel backend's answer to a creation, or null when userspace must do it (no module, or <c>EOPNOTSUPP</c>).</summary>
    private bool? TryCreateKernelDevice(string name)
    {
        if (Kernel() is { } kernel)
        {
            try
            {
                return kernel.CreateDevice(name);
            }
            catch (NetlinkErrorException e) when (e.Errno == Errno.EOPNOTSUPP)
            {
                // The kernel has no "wireguard" link kind ("Unknown device type"): use userspace.
            }
        }

        return null;
    }

    /// <summary><see cref="CreateDevice"/> with the userspace backend's non-blocking start.</summary>
    /// <exception cref="ArgumentException">The name is not a valid interface name.</exception>
    public override async ValueTask<bool> CreateDeviceAsync(string name, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        InterfaceName.Validate(name);
        if (await _userspace.HasDeviceAsync(name, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        return TryCreateKernelDevice(name) ?? await _userspace.CreateDeviceAsync(name, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Configures the device in whichever backend has it (userspace first).</summary>
    /// <exception cref="ArgumentException">The name is not a valid interface name.</exception>
    /// <exception cref="NetlinkException"><see cref="Errno.ENODEV"/> when neither backend has the device.</exception>
    public override void ConfigureDevice(string name, DeviceConfig config)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        InterfaceName.Validate(name);
        ArgumentNullException.ThrowIfNull(config);
        if (_userspace.HasDevice(name))
        {
            _userspace.ConfigureDevice(name, config);
        }
        else if (Kernel() is { } kernel)
        {
            kernel.ConfigureDevice(name, config);
        }
        else
        {
            throw NeitherBackendHas(name);
        }
    }

    /// <summary>
    /// Configures the device in whichever backend has it (userspace first), with the userspace backend's cancellation rule.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not a valid interface name.</exception>
    /// <exception cref="NetlinkException"><see cref="Errno.ENODEV"/> when neither backend has the device.</exception>
    public override async ValueTask ConfigureDeviceAsync(string name, DeviceConfig config, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        InterfaceName.Validate(name);
        ArgumentNullException.ThrowIfNull(config);
        if (await _userspace.HasDeviceAsync(name, cancellationToken).ConfigureAwait(false))
        {
            await _userspace.ConfigureDeviceAsync(name, config, cancellationToken).ConfigureAwait(false);
        }
        else if (Kernel() is { } kernel)
        {
            await kernel.ConfigureDeviceAsync(name, config, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            throw NeitherBackendHas(name);
        }
    }

    /// <summary>
    /// Deletes the device from whichever backend has it (userspace first); stale userspace socket files
    /// are removed too. Returns false when neither had it.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not a valid interface name.</exception>
    public override bool DeleteDevice(string name)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        InterfaceName.Validate(name);
        if (_userspace.HasDevice(name))
        {
            return _userspace.DeleteDevice(name);
        }

        bool deleted = Kernel()?.DeleteDevice(name) ?? false;
        return _userspace.DeleteDevice(name) || deleted;
    }

    /// <summary><see cref="DeleteDevice"/> with the userspace backend's non-blocking wait.</summary>
    /// <exception cref="ArgumentException">The name is not a valid interface name.</exception>
    public override async ValueTask<bool> DeleteDeviceAsync(string name, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        InterfaceName.Validate(name);
        if (await _userspace.HasDeviceAsync(name, cancellationToken).ConfigureAwait(false))
        {
            return await _userspace.DeleteDeviceAsync(name, cancellationToken).ConfigureAwait(false);
        }

        bool deleted = Kernel() is { } kernel && await kernel.DeleteDeviceAsync(name, cancellationToken).ConfigureAwait(false);
        return await _userspace.DeleteDeviceAsync(name, cancellationToken).ConfigureAwait(false) || deleted;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (disposing)
        {
            _kernel?.Dispose();
            _userspace.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>The kernel backend on Linux when the <c>wireguard</c> family exists; null elsewhere (no Linux-only call off
    /// Linux).</summary>
    private static WireGuardClient? OpenKernelIfLinux() => OperatingSystem.IsLinux() ? KernelWireGuardClient.TryOpen() : null;

    private NetlinkException NeitherBackendHas(string name) =>
        NoSuchDevice(name,
            $"no userspace implementation answers on its UAPI socket in {_userspace.SocketDirectory}, " +
            "and the kernel WireGuard module is not available.");

    /// <summary>Whether the kernel backend has been opened (tests check the laziness).</summary>
    internal bool KernelOpened => _kernelOpened;

    private WireGuardClient? Kernel()
    {
        if (!_kernelOpened)
        {
            _kernel = _openKernel();
            _kernelOpened = true;
        }

        return _kernel;
    }
}
