using Innernet.Netlink.Uapi;

namespace Innernet.Netlink.WireGuard;

/// <summary>Settings for the WireGuard control backends, chiefly the userspace (UAPI) one.</summary>
public sealed class WireGuardClientOptions
{
    /// <summary>The default <see cref="OperationTimeout"/>: 30 seconds.</summary>
    public static readonly TimeSpan DefaultOperationTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The default <see cref="StartTimeout"/>: 15 seconds.</summary>
    public static readonly TimeSpan DefaultStartTimeout = TimeSpan.FromSeconds(15);

    /// <summary>The default <see cref="SocketReadyTimeout"/>: 5 seconds.</summary>
    public static readonly TimeSpan DefaultSocketReadyTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The default <see cref="MaxReplyBytes"/>: 64 MiB.</summary>
    public const int DefaultMaxReplyBytes = 64 * 1024 * 1024;

    /// <summary>The smallest accepted <see cref="MaxReplyBytes"/>: room for <c>errno=-NNN</c> and the blank line.</summary>
    public const int MinReplyBytes = 16;

    private TimeSpan _operationTimeout = DefaultOperationTimeout;
    private TimeSpan _startTimeout = DefaultStartTimeout;
    private TimeSpan _socketReadyTimeout = DefaultSocketReadyTimeout;
    private int _maxReplyBytes = DefaultMaxReplyBytes;

    /// <summary>
    /// The directory holding the UAPI sockets (<c>&lt;iface&gt;.sock</c>). Null (the default) means
    /// <c>/var/run/wireguard</c> when that directory exists, else <c>/run/wireguard</c>.
    /// </summary>
    public string? SocketDirectory { get; set; }

    /// <summary>
    /// The userspace implementation to start for new devices (a path, or a program name looked up on
    /// <c>PATH</c>). Null (the default) means <c>$WG_USERSPACE_IMPLEMENTATION</c>, else
    /// <c>$WG_QUICK_USERSPACE_IMPLEMENTATION</c>, else <c>wireguard-go</c>.
    /// </summary>
    public string? UserspaceImplementation { get; set; }

    /// <summary>
    /// The longest one UAPI exchange (connect, request, complete reply) may take before it fails with
    /// ETIMEDOUT. Default 30 s.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan OperationTimeout
    {
        get => _operationTimeout;
        set => _operationTimeout = Positive(value);
    }

    /// <summary>How long the started implementation may take to exit (it daemonizes). Default 15 s.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan StartTimeout
    {
        get => _startTimeout;
        set => _startTimeout = Positive(value);
    }

    /// <summary>
    /// After the implementation exited successfully, how long to poll (every 10 ms) for its socket to
    /// accept connections. Default 5 s.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public TimeSpan SocketReadyTimeout
    {
        get => _socketReadyTimeout;
        set => _socketReadyTimeout = Positive(value);
    }

    /// <summary>The largest UAPI reply accepted, in bytes; longer replies fail with EMSGSIZE. Default 64 MiB.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than <see cref="MinReplyBytes"/>.</exception>
    public int MaxReplyBytes
    {
        get => _maxReplyBytes;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, MinReplyBytes);
            _maxReplyBytes = value;
        }
    }

    /// <summary>
    /// Derives a public key from a private key (X25519). UAPI does not report the device's public key;
    /// when this is set, <see cref="WireGuardDevice.PublicKey"/> is filled from it, otherwise it stays
    /// null for userspace devices.
    /// </summary>
    public Func<WireGuardKey, WireGuardKey>? PublicKeyDeriver { get; set; }

    /// <summary>Overrides the host OS conventions (tests exercise the macOS naming on Linux).</summary>
    internal UserspacePlatform? Platform { get; set; }

    /// <summary>The platform in effect: <see cref="Platform"/>, else the running OS.</summary>
    internal UserspacePlatform EffectivePlatform =>
        Platform ?? (OperatingSystem.IsMacOS() ? UserspacePlatform.MacOS : UserspacePlatform.Linux);

    /// <summary>A copy, so a backend is not affected by later changes to the caller's instance.</summary>
    internal WireGuardClientOptions Clone() => (WireGuardClientOptions)MemberwiseClone();

    private static TimeSpan Positive(TimeSpan value, [System.Runtime.CompilerServices.CallerMemberName] string name = "")
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(name, value, "A timeout must be positive.");
        }

        return value;
    }
}
