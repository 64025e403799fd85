using Innernet.Netlink.Errors;
using Innernet.Netlink.Uapi;

namespace Innernet.Netlink.WireGuard;

/// <summary>
/// Chooses the backend per device, like <c>wg(8)</c>: a device whose UAPI socket accepts a connection
/// is a userspace device (a live socket is authoritative, even on a kernel with WireGuard); otherwise
/// the kernel's <c>wireguard</c> Generic Netlink family is asked when it exists. New devices are
/// kernel devices when the module is available, else userspace ones; a kernel that answers
/// <c>EOPNOTSUPP</c> ("Unknown device type") to the link creation also falls back to userspace. The
/// kernel backend is opened lazily, on first need, and at most once. Not thread-safe.
/// </summary>
public sealed class AutoWireGuardControl : IWireGuardControl
{
    private readonly UserspaceWireGuardControl _userspace;
    private readonly Func<IWireGuardControl?> _openKernel;
    private IWireGuardControl? _kernel;
    private bool _kernelOpened;
    private bool _disposed;

    /// <summary>Creates the composite with default options.</summary>
    public AutoWireGuardControl()
        : this(null)
    {
    }

    /// <summary>Creates the composite; <paramref name="options"/> configure the userspace side.</summary>
    public AutoWireGuardControl(WireGuardControlOptions? options)
        : this(new UserspaceWireGuardControl(options), KernelWireGuardControl.TryOpen)
    {
    }

    /// <summary>Test seam: any userspace backend and kernel opener (null from it = no kernel module).</summary>
    internal AutoWireGuardControl(UserspaceWireGuardControl userspace, Func<IWireGuardControl?> openKernel)
    {
        _userspace = userspace;
        _openKernel = openKernel;
    }

    /// <inheritdoc />
    public WireGuardBackend Backend => WireGuardBackend.Auto;

    /// <summary>The union of the userspace and kernel devices (a name seen by both appears once), sorted ordinally.</summary>
    public IReadOnlyList<string> ListDevices()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var names = new SortedSet<string>(_userspace.ListDevices(), StringComparer.Ordinal);
        if (Kernel() is { } kernel)
        {
            names.UnionWith(kernel.ListDevices());
        }

        return [.. names];
    }

    /// <summary>The userspace device when its socket is live, else the kernel device, else null.</summary>
    /// <exception cref="ArgumentException">The name is not a valid interface name.</exception>
    public WireGuardDevice? GetDevice(string name)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _userspace.GetDevice(name) ?? Kernel()?.GetDevice(name);
    }

    /// <summary>
    /// Returns false when the device exists in either backend. Otherwise creates a kernel device when
    /// the module is available (falling back to userspace on <c>EOPNOTSUPP</c>), else starts the
    /// userspace implementation.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not a valid interface name.</exception>
    public bool CreateDevice(string name)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        InterfaceName.Validate(name);
        if (_userspace.HasDevice(name))
        {
            return false;
        }

        if (Kernel() is { } kernel)
        {
            try
            {
                return kernel.CreateDevice(name);
            }
            catch (NetlinkException e) when (e.Errno == UapiErrno.EOPNOTSUPP)
            {
                // The kernel has no "wireguard" link kind ("Unknown device type"): use userspace.
            }
        }

        return _userspace.CreateDevice(name);
    }

    /// <summary>Configures the device in whichever backend has it (userspace first).</summary>
    /// <exception cref="ArgumentException">The name is not a valid interface name.</exception>
    /// <exception cref="InvalidOperationException">Neither backend has the device.</exception>
    public void ConfigureDevice(string name, DeviceConfig config)
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
            throw new InvalidOperationException(
                $"WireGuard device '{name}' does not exist: no userspace implementation answers on its UAPI socket in " +
                $"{_userspace.SocketDirectory}, and the kernel WireGuard module is not available.");
        }
    }

    /// <summary>
    /// Deletes the device from whichever backend has it (userspace first); stale userspace socket files
    /// are removed too. Returns false when neither had it.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not a valid interface name.</exception>
    public bool DeleteDevice(string name)
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

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _kernel?.Dispose();
        _userspace.Dispose();
    }

    /// <summary>Whether the kernel backend has been opened (tests check the laziness).</summary>
    internal bool KernelOpened => _kernelOpened;

    private IWireGuardControl? Kernel()
    {
        if (!_kernelOpened)
        {
            _kernel = _openKernel();
            _kernelOpened = true;
        }

        return _kernel;
    }
}
