namespace Innernet.Netlink.WireGuard;

/// <summary>
/// A failure of the cross-platform userspace API (UAPI) of a userspace WireGuard implementation such as
/// wireguard-go: the implementation answered <c>errno=N</c> with N ≠ 0, or its reply could not be used.
/// <see cref="NetlinkException.Errno"/> is:
/// <list type="bullet">
/// <item>the absolute value of the reply's <c>errno=</c> line (wireguard-go sends it negated:
/// <c>errno=-22</c> → <see cref="Errno.EINVAL"/>);</item>
/// <item><see cref="Errno.EPROTO"/> for a malformed or truncated reply, or one without an <c>errno=</c> line (as <c>wg(8)</c> does);</item>
/// <item><see cref="Errno.EMSGSIZE"/> for a reply longer than <see cref="WireGuardClientOptions.MaxReplyBytes"/>;</item>
/// <item><see cref="Errno.ETIMEDOUT"/> when no complete reply arrived within <see cref="WireGuardClientOptions.OperationTimeout"/>;</item>
/// <item>another errno (for example <see cref="Errno.EACCES"/>) when the socket could not be used.</item>
/// </list>
/// </summary>
public sealed class WireGuardUapiException : NetlinkException
{
    private const string UapiOperation = "WireGuard UAPI";

    /// <summary>Creates an exception with <see cref="Errno.EPROTO"/> and a generic message.</summary>
    public WireGuardUapiException()
        : this(Errno.EPROTO, "The WireGuard userspace API (UAPI) request failed.")
    {
    }

    /// <summary>Creates an exception with <see cref="Errno.EPROTO"/>.</summary>
    /// <param name="message">What failed.</param>
    public WireGuardUapiException(string message)
        : this(Errno.EPROTO, message)
    {
    }

    /// <summary>Creates an exception with <see cref="Errno.EPROTO"/> and an inner exception.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The underlying cause.</param>
    public WireGuardUapiException(string message, Exception innerException)
        : this(Errno.EPROTO, message, innerException)
    {
    }

    /// <summary>Creates an exception for the given errno (its sign is dropped).</summary>
    /// <param name="errno">The errno; a negative value (as UAPI sends it) is negated.</param>
    /// <param name="message">What failed.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="errno"/> is 0 or <see cref="int.MinValue"/>.</exception>
    public WireGuardUapiException(Errno errno, string message)
        : this(errno, message, null)
    {
    }

    /// <summary>Creates an exception for the given errno (its sign is dropped), with an optional inner exception.</summary>
    /// <param name="errno">The errno; a negative value (as UAPI sends it) is negated.</param>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The underlying cause, if any.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="errno"/> is 0 or <see cref="int.MinValue"/>.</exception>
    public WireGuardUapiException(Errno errno, string message, Exception? innerException)
        : base(Positive(errno), UapiOperation, message, innerException)
    {
    }

    private static Errno Positive(Errno errno)
    {
        int value = (int)errno;
        if (value == 0 || value == int.MinValue)
        {
            throw new ArgumentOutOfRangeException(nameof(errno), errno, "A UAPI failure needs a nonzero errno that fits a positive int.");
        }

        return (Errno)Math.Abs(value);
    }
}
