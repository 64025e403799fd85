using System.IO;
using System.Runtime.InteropServices;
using Innernet.Netlink.Uapi;

namespace Innernet.Netlink.WireGuard;

/// <summary>
/// A failure of the cross-platform userspace API (UAPI) of a userspace WireGuard implementation such
/// as wireguard-go: the implementation answered <c>errno=N</c> with N ≠ 0, or its reply could not be
/// used. <see cref="Errno"/> is always positive:
/// <list type="bullet">
/// <item>the absolute value of the reply's <c>errno=</c> line (wireguard-go sends it negated: <c>errno=-22</c> → 22, EINVAL);</item>
/// <item>EPROTO (71) for a malformed or truncated reply, or one without an <c>errno=</c> line (as <c>wg(8)</c> does);</item>
/// <item>EMSGSIZE (90) for a reply longer than <see cref="WireGuardControlOptions.MaxReplyBytes"/>;</item>
/// <item>ETIMEDOUT (110) when no complete reply arrived within <see cref="WireGuardControlOptions.OperationTimeout"/>;</item>
/// <item>another errno (for example EACCES) when the socket could not be used.</item>
/// </list>
/// </summary>
public sealed class WireGuardUapiException : IOException
{
    /// <summary>Creates an exception with <see cref="Errno"/> = EPROTO and a generic message.</summary>
    public WireGuardUapiException()
        : this(UapiErrno.EPROTO, "The WireGuard userspace API (UAPI) request failed.")
    {
    }

    /// <summary>Creates an exception with <see cref="Errno"/> = EPROTO.</summary>
    public WireGuardUapiException(string message)
        : this(UapiErrno.EPROTO, message)
    {
    }

    /// <summary>Creates an exception with <see cref="Errno"/> = EPROTO and an inner exception.</summary>
    public WireGuardUapiException(string message, Exception innerException)
        : this(UapiErrno.EPROTO, message, innerException)
    {
    }

    /// <summary>Creates an exception for the given errno (its sign is dropped).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="errno"/> is 0 or <see cref="int.MinValue"/>.</exception>
    public WireGuardUapiException(int errno, string message)
        : this(errno, message, null)
    {
    }

    /// <summary>Creates an exception for the given errno (its sign is dropped), with an optional inner exception.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="errno"/> is 0 or <see cref="int.MinValue"/>.</exception>
    public WireGuardUapiException(int errno, string message, Exception? innerException)
        : base(message, innerException)
    {
        if (errno == 0 || errno == int.MinValue)
        {
            throw new ArgumentOutOfRangeException(nameof(errno), errno, "A UAPI failure needs a nonzero errno that fits a positive int.");
        }

        Errno = Math.Abs(errno);
    }

    /// <summary>The positive errno (for example 22 for EINVAL, 71 for EPROTO).</summary>
    public int Errno { get; }

    /// <summary>The host's description of an errno, e.g. "Invalid argument" for 22.</summary>
    internal static string Describe(int errno) => Marshal.GetPInvokeErrorMessage(Math.Abs(errno));
}
