using System.Diagnostics;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Innernet.Netlink.Uapi;

namespace Innernet.Netlink.WireGuard;

/// <summary>
/// Controls userspace WireGuard implementations (wireguard-go and compatibles) through the
/// cross-platform UAPI: one unix stream socket per device in
/// <see cref="WireGuardClientOptions.SocketDirectory"/> (default <c>/var/run/wireguard</c>, else
/// <c>/run/wireguard</c>), text <c>key=value</c> lines, hex keys, an <c>errno=</c> line at the end of
/// every reply. Each operation uses a new connection and closes it, as <c>wg(8)</c> does. On macOS a
/// device name maps to a <c>utunN</c> interface through <c>&lt;name&gt;.name</c> files (the wg-quick
/// convention). Holds no socket between calls; not thread-safe. The asynchronous calls use non-blocking
/// socket I/O and honour their token while connecting and while waiting for a reply;
/// a request, once started, is always sent whole, so a cancelled configure leaves the device either untouched
/// (cancelled before the request went out) or fully configured (cancelled while waiting for the answer).
/// </summary>
internal sealed class UserspaceWireGuardClient : WireGuardClient
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);
    private const UnixFileMode SocketDirectoryMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
        UnixFileMode.GroupRead | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    private readonly WireGuardClientOptions _options;
    private readonly Dictionary<string, bool> _removesAllowedIPs = new(StringComparer.Ordinal); // probe results per device
    private bool _disposed;

    /// <summary>Creates a userspace backend; <paramref name="options"/> is copied.</summary>
    public UserspaceWireGuardClient(WireGuardClientOptions? options)
    {
        _options = options?.Clone() ?? new WireGuardClientOptions();
    }

    /// <inheritdoc />
    public override WireGuardBackend Backend => WireGuardBackend.Userspace;

    /// <summary>The socket directory in effect (resolved again on each call when not configured).</summary>
    public string SocketDirectory => Directory().Path;

    /// <summary>
    /// Devices whose UAPI socket accepts a connection: on Linux the <c>*.sock</c> files, on macOS the
    /// <c>*.name</c> files whose <c>utunN.sock</c> is live. Stale sockets are skipped, not deleted.
    /// Sorted ordinally.
    /// </summary>
    public override IReadOnlyList<string> ListDevices()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var directory = Directory();
        var devices = new List<string>();
        foreach (var name in directory.CandidateNames())
        {
            if (directory.ResolveSocketPath(name) is { } path && UapiConnection.IsConnectable(path, _options.OperationTimeout))
            {
                devices.Add(name);
            }
        }

        return devices;
    }

    /// <inheritdoc cref="ListDevices"/>
    public override async ValueTask<IReadOnlyList<string>> ListDevicesAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var directory = Directory();
        var devices = new List<string>();
        foreach (var name in directory.CandidateNames())
        {
            if (directory.ResolveSocketPath(name) is { } path &&
                await UapiConnection.IsConnectableAsync(path, _options.OperationTimeout, cancellationToken).ConfigureAwait(false))
            {
                devices.Add(name);
            }
        }

        return devices;
    }

    /// <summary>
    /// Reads a device with <c>get=1</c>; null when it has no socket or its socket refuses connections
    /// (stale). <see cref="WireGuardDevice.PublicKey"/> is set only with
    /// <see cref="WireGuardClientOptions.PublicKeyDeriver"/>: UAPI does not report it.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not a valid interface name.</exception>
    /// <exception cref="WireGuardUapiException">The implementation failed, timed out or replied something malformed.</exception>
    public override WireGuardDevice? GetDevice(string name)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        InterfaceName.Validate(name);
        if (Directory().ResolveSocketPath(name) is not { } path)
        {
            return null;
        }

        using var connection = Connect(path);
        if (connection is null)
        {
            return null;
        }

        var reply = connection.Exchange(UapiRequestWriter.GetRequest, _options.MaxReplyBytes);
        return UapiReplyParser.ParseGet(name, reply, path, _options.PublicKeyDeriver);
    }

    /// <summary>
    /// <see cref="GetDevice"/> with non-blocking I/O. Cancellation closes the connection; nothing changes on the device.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <inheritdoc cref="GetDevice"/>
    public override async ValueTask<WireGuardDevice?> GetDeviceAsync(string name, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        InterfaceName.Validate(name);
        if (Directory().ResolveSocketPath(name) is not { } path)
        {
            return null;
        }

        using var connection = await ConnectAsync(path, cancellationToken).ConfigureAwait(false);
        if (connection is null)
        {
            return null;
        }

        var reply = await connection.ExchangeAsync(UapiRequestWriter.GetRequest, _options.MaxReplyBytes, cancellationToken)
            .ConfigureAwait(false);
        return UapiReplyParser.ParseGet(name, reply, path, _options.PublicKeyDeriver);
    }

    /// <summary>
    /// Starts the userspace implementation for <paramref name="name"/> unless a live socket exists
    /// (then returns false): creates the socket directory (0755), removes a stale name file, runs
    /// <c>&lt;impl&gt; &lt;name&gt;</c> (macOS: <c>&lt;impl&gt; utun</c> with <c>WG_TUN_NAME_FILE</c>) without a
    /// shell, waits for it to exit (it daemonizes), then polls every 10 ms until the socket accepts
    /// connections. The implementation is <see cref="WireGuardClientOptions.UserspaceImplementation"/>,
    /// else <c>$WG_USERSPACE_IMPLEMENTATION</c>, else <c>$WG_QUICK_USERSPACE_IMPLEMENTATION</c>, else
    /// <c>wireguard-go</c> on <c>PATH</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not a valid interface name.</exception>
    /// <exception cref="FileNotFoundException">The implementation cannot be found.</exception>
    /// <exception cref="IOException">The implementation failed to start or exited nonzero (its output is in the message).</exception>
    /// <exception cref="WireGuardUapiException">The socket did not become connectable within <see
    /// cref="WireGuardClientOptions.SocketReadyTimeout"/> (ETIMEDOUT).</exception>
    public override bool CreateDevice(string name)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        InterfaceName.Validate(name);
        var directory = Directory();
        if (IsLive(directory, name))
        {
            return false;
        }

        var (program, arguments, environment) = PrepareStart(directory, name);
        UserspaceImplementation.Run(program, arguments, environment, _options.StartTimeout);

        var clock = Stopwatch.StartNew();
        while (!IsLive(directory, name))
        {
            ThrowIfNeverReady(clock, program, name, directory);
            Thread.Sleep(PollInterval);
        }

        return true;
    }

    /// <summary>
    /// <see cref="CreateDevice"/> without blocking the thread while the implementation starts and its socket comes up.
    /// Cancelled before the implementation runs: nothing changed. Cancelled while it runs: it is killed, as on
    /// <see cref="WireGuardClientOptions.StartTimeout"/>. Cancelled while waiting for the socket: the daemon it started
    /// keeps running, so the device may still appear; <see cref="DeleteDeviceAsync"/> removes it.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <inheritdoc cref="CreateDevice"/>
    public override async ValueTask<bool> CreateDeviceAsync(string name, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        InterfaceName.Validate(name);
        var directory = Directory();
        if (await IsLiveAsync(directory, name, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        var (program, arguments, environment) = PrepareStart(directory, name);
        await UserspaceImplementation.RunAsync(program, arguments, environment, _options.StartTimeout, cancellationToken)
            .ConfigureAwait(false);

        var clock = Stopwatch.StartNew();
        while (!await IsLiveAsync(directory, name, cancellationToken).ConfigureAwait(false))
        {
            ThrowIfNeverReady(clock, program, name, directory);
            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>Applies <paramref name="config"/> with one <c>set=1</c> request.</summary>
    /// <exception cref="ArgumentException">The name is not a valid interface name, or the config holds an unusable value.</exception>
    /// <exception cref="NetlinkException"><see cref="Errno.ENODEV"/> when the device does not exist (no socket, or a stale
    /// one).</exception>
    /// <exception cref="WireGuardUapiException">The implementation rejected the request (e.g. errno 22 EINVAL, 98 EADDRINUSE), timed out or
    /// replied something malformed. Lines before a rejected one stay applied: UAPI is not transactional.</exception>
    public override void ConfigureDevice(string name, DeviceConfig config)
    {
        var (request, path, directory) = PrepareSet(name, config);
        using var connection = (path is null ? null : Connect(path)) ?? throw NoUserspaceDevice(name, directory);
        UapiReplyParser.ParseSet(connection.Exchange(request, _options.MaxReplyBytes), path!);
    }

    /// <summary>
    /// <see cref="ConfigureDevice"/> with non-blocking I/O. Cancellation before the request is sent (while
    /// connecting) leaves the device untouched; after that the request is sent whole and cancellation only
    /// stops the wait for the answer, so the device ends up fully configured (or, if the implementation rejected
    /// a line, as <see cref="ConfigureDevice"/> would leave it). Either way the connection is closed.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <inheritdoc cref="ConfigureDevice"/>
    public override async ValueTask ConfigureDeviceAsync(string name, DeviceConfig config, CancellationToken cancellationToken = default)
    {
        var (request, path, directory) = PrepareSet(name, config);
        using var connection = (path is null ? null : await ConnectAsync(path, cancellationToken).ConfigureAwait(false)) ??
            throw NoUserspaceDevice(name, directory);
        var reply = await connection.ExchangeAsync(request, _options.MaxReplyBytes, cancellationToken).ConfigureAwait(false);
        UapiReplyParser.ParseSet(reply, path!);
    }

    /// <summary>
    /// Checks the arguments of a configure call and returns the request and where to send it (null: no socket). Single
    /// allowed-IP removals are resolved first: the one-time probe and the read-modify-write fallback use the blocking
    /// calls, also from <see cref="ConfigureDeviceAsync"/> (only a config that removes allowed IPs pays for them).
    /// </summary>
    private (byte[] Request, string? Path, UapiSocketDirectory Directory) PrepareSet(string name, DeviceConfig config)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        InterfaceName.Validate(name);
        ArgumentNullException.ThrowIfNull(config);
        if (AllowedIPRemoval.IsNeeded(config))
        {
            // Per device: each may be served by another implementation or version.
            bool? supported = RemovesSingleAllowedIPs(name);
            config = AllowedIPRemoval.Prepare(
                config, ref supported, AllowedIPRemoval.RefusalAsFalse(change => Set(name, change)), () => GetDevice(name),
                () => NoSuchDevice(name, "no userspace implementation answers for it."));
            if (supported is { } known)
            {
                _removesAllowedIPs[name] = known;
            }
        }

        return Request(name, config);
    }

    internal override bool? RemovesSingleAllowedIPs(string name) => _removesAllowedIPs.TryGetValue(name, out bool known) ? known : null;

    /// <summary>Sends one <c>set=1</c> request as it is (the probe and the fallback of <see cref="PrepareSet"/>).</summary>
    private void Set(string name, DeviceConfig config)
    {
        var (request, path, directory) = Request(name, config);
        using var connection = (path is null ? null : Connect(path)) ?? throw NoUserspaceDevice(name, directory);
        UapiReplyParser.ParseSet(connection.Exchange(request, _options.MaxReplyBytes), path!);
    }

    private (byte[] Request, string? Path, UapiSocketDirectory Directory) Request(string name, DeviceConfig config)
    {
        byte[] request = UapiRequestWriter.EncodeSet(config);
        var directory = Directory();
        return (request, directory.ResolveSocketPath(name), directory);
    }

    private static NetlinkException NoUserspaceDevice(string name, UapiSocketDirectory directory) =>
        NoSuchDevice(name, $"no userspace implementation answers on its UAPI socket in {directory.Path}.");

    /// <summary>
    /// Removes the device's socket (and name file): wireguard-go watches its socket and exits at once,
    /// taking the interface with it. On Linux, waits (up to
    /// <see cref="WireGuardClientOptions.SocketReadyTimeout"/>) for the interface to disappear from
    /// this network namespace, so the name can be reused right away. Returns false when no live device
    /// existed; stale files are removed either way.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not a valid interface name.</exception>
    public override bool DeleteDevice(string name)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        InterfaceName.Validate(name);
        _removesAllowedIPs.Remove(name); // a device made again under this name may be another implementation
        var directory = Directory();
        string? real = directory.ResolveRealName(name);
        bool live = real is not null && UapiConnection.IsConnectable(directory.SocketPath(real), _options.OperationTimeout);
        RemoveFiles(directory, name, real);
        if (live && directory.Platform == UserspacePlatform.Linux)
        {
            WaitForInterfaceGone(real!);
        }

        return live;
    }

    /// <summary>
    /// <see cref="DeleteDevice"/> without blocking the thread. Cancelled before the socket is removed: nothing changed.
    /// Once it is removed the device goes away whatever happens; cancellation then only stops the wait for the
    /// interface to disappear (and throws).
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <inheritdoc cref="DeleteDevice"/>
    public override async ValueTask<bool> DeleteDeviceAsync(string name, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        InterfaceName.Validate(name);
        var directory = Directory();
        string? real = directory.ResolveRealName(name);
        bool live = real is not null && await UapiConnection
            .IsConnectableAsync(directory.SocketPath(real), _options.OperationTimeout, cancellationToken)
            .ConfigureAwait(false);
        RemoveFiles(directory, name, real);
        if (live && directory.Platform == UserspacePlatform.Linux)
        {
            var clock = Stopwatch.StartNew();
            while (InterfaceExists(real!) && clock.Elapsed < _options.SocketReadyTimeout)
            {
                await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
            }
        }

        return live;
    }

    /// <summary>True when the device's socket accepts connections (used by the automatic backend).</summary>
    internal bool HasDevice(string name) => IsLive(Directory(), name);

    /// <summary><see cref="HasDevice"/> without blocking the thread.</summary>
    internal async ValueTask<bool> HasDeviceAsync(string name, CancellationToken cancellationToken) =>
        Directory().ResolveSocketPath(name) is { } path &&
        await UapiConnection.IsConnectableAsync(path, _options.OperationTimeout, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        base.Dispose(disposing);
    }

    private UapiSocketDirectory Directory() =>
        new(_options.SocketDirectory ?? UapiSocketDirectory.DefaultPath(), _options.EffectivePlatform);

    private bool IsLive(UapiSocketDirectory directory, string name) =>
        directory.ResolveSocketPath(name) is { } path && UapiConnection.IsConnectable(path, _options.OperationTimeout);

    private UapiConnection? Connect(string path) =>
        UapiConnection.TryConnect(path, _options.OperationTimeout, out var connection) == UapiConnection.ConnectResult.Connected
            ? connection
            : null;

    private async ValueTask<UapiConnection?> ConnectAsync(string path, CancellationToken cancellationToken)
    {
        var (result, connection) = await UapiConnection.TryConnectAsync(path, _options.OperationTimeout, cancellationToken)
            .ConfigureAwait(false);
        return result == UapiConnection.ConnectResult.Connected ? connection : null;
    }

    private void WaitForInterfaceGone(string realName)
    {
        var clock = Stopwatch.StartNew();
        while (InterfaceExists(realName) && clock.Elapsed < _options.SocketReadyTimeout)
        {
            Thread.Sleep(PollInterval);
        }
    }

    /// <summary>Whether this network namespace has an interface of that name (Linux).</summary>
    private static bool InterfaceExists(string realName) => System.IO.Directory.Exists(Path.Combine("/sys/class/net", realName));

    private static void RemoveFiles(UapiSocketDirectory directory, string name, string? realName)
    {
        if (realName is not null)
        {
            File.Delete(directory.SocketPath(realName));
        }

        File.Delete(directory.NameFilePath(name));
    }

    private ValueTask<bool> IsLiveAsync(UapiSocketDirectory directory, string name, CancellationToken cancellationToken) =>
        directory.ResolveSocketPath(name) is { } path
            ? UapiConnection.IsConnectableAsync(path, _options.OperationTimeout, cancellationToken)
            : ValueTask.FromResult(false);

    /// <summary>
    /// What to run for a new device (see <see cref="CreateDevice"/>): creates the socket directory (0755) and removes a
    /// stale name file on the way.
    /// </summary>
    private (string Program, string[] Arguments, Dictionary<string, string> Environment) PrepareStart(
        UapiSocketDirectory directory, string name)
    {
        string program = UserspaceImplementation.Locate(
            UserspaceImplementation.Choose(_options.UserspaceImplementation, Environment.GetEnvironmentVariable),
            Environment.GetEnvironmentVariable("PATH"));

        System.IO.Directory.CreateDirectory(directory.Path, SocketDirectoryMode);
        string nameFile = directory.NameFilePath(name);
        File.Delete(nameFile);

        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        if (directory.Platform == UserspacePlatform.MacOS)
        {
            environment[UserspaceImplementation.TunNameFileVariable] = nameFile;
            return (program, [UserspaceImplementation.MacOSAnyUtun], environment);
        }

        return (program, [name], environment);
    }

    private void ThrowIfNeverReady(Stopwatch clock, string program, string name, UapiSocketDirectory directory)
    {
        if (clock.Elapsed >= _options.SocketReadyTimeout)
        {
            throw new WireGuardUapiException(
                Errno.ETIMEDOUT,
                $"\"{program}\" set up WireGuard device '{name}' but no UAPI socket for it accepted connections in {directory.Path} " +
                $"within {_options.SocketReadyTimeout.TotalSeconds:0.###} s (WireGuardClientOptions.SocketReadyTimeout).");
        }
    }
}
