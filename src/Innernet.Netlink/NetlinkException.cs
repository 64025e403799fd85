using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;

namespace Innernet.Netlink;

/// <summary>
/// The base of every failure this library reports, with the errno that describes it. Thrown as itself when a system
/// call failed (<c>socket</c>, <c>bind</c>, <c>setns</c>, <c>open</c>, <c>send</c>, <c>recvmsg</c>) or when a
/// WireGuard device an operation needs does not exist (<see cref="Errno.ENODEV"/>, from every backend). Derived types:
/// <see cref="NetlinkErrorException"/> (the kernel refused a request), <see cref="NetlinkProtocolException"/> (a reply
/// was malformed) and <see cref="WireGuard.WireGuardUapiException"/> (a userspace implementation failed).
/// </summary>
/// <remarks>Invalid arguments and misuse are reported with the usual <see cref="ArgumentException"/> family instead.</remarks>
public class NetlinkException : IOException
{
    /// <summary>Creates an exception with <see cref="Errno.EIO"/> and a generic message.</summary>
    public NetlinkException()
        : this(Errno.EIO, "netlink", "The operation failed.", null)
    {
    }

    /// <summary>Creates an exception with <see cref="Errno.EIO"/> and a message.</summary>
    /// <param name="message">What failed.</param>
    public NetlinkException(string message)
        : this(Errno.EIO, string.Empty, message, null)
    {
    }

    /// <summary>Creates an exception with <see cref="Errno.EIO"/>, a message and the underlying cause.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The underlying cause.</param>
    public NetlinkException(string message, Exception innerException)
        : this(Errno.EIO, string.Empty, message, innerException)
    {
    }

    /// <summary>Creates an exception for <paramref name="errno"/>; the message names the operation and the errno.</summary>
    /// <param name="errno">The errno (positive; any value, named or not).</param>
    /// <param name="operation">What was being done, e.g. <c>bind(AF_NETLINK)</c>.</param>
    public NetlinkException(Errno errno, string operation)
        : this(errno, operation, Format(errno, operation), null)
    {
    }

    /// <summary>Creates an exception for <paramref name="errno"/> with an explicit message.</summary>
    /// <param name="errno">The errno (positive; any value, named or not).</param>
    /// <param name="operation">What was being done.</param>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The underlying cause, if any.</param>
    public NetlinkException(Errno errno, string operation, string message, Exception? innerException)
        : base(message, innerException)
    {
        ArgumentNullException.ThrowIfNull(operation);
        Errno = errno;
        Operation = operation;
        HResult = (int)errno;
    }

    /// <summary>The errno describing the failure, e.g. <see cref="Errno.ENODEV"/>; compare with the enum's names.</summary>
    public Errno Errno { get; }

    /// <summary>The symbolic errno name, e.g. <c>ENODEV</c> (<c>E#n</c> for a number this library has no name for).</summary>
    public string ErrorName => NameOf(Errno);

    /// <summary>The operation that failed, e.g. <c>RTM_NEWADDR 10.0.0.1/24 on ifindex 5</c>; may be empty.</summary>
    public string Operation { get; }

    /// <summary>The symbolic name of <paramref name="errno"/>: its <see cref="Errno"/> member, else <c>E#n</c>.</summary>
    internal static string NameOf(Errno errno) =>
        Enum.IsDefined(errno) ? errno.ToString() : "E#" + ((int)errno).ToString(CultureInfo.InvariantCulture);

    /// <summary>The host's text for an errno, e.g. "No such device" (never through <c>SocketException(int)</c>).</summary>
    internal static string Describe(Errno errno) => Marshal.GetPInvokeErrorMessage((int)errno);

    /// <summary><c>operation failed: ENAME (text)</c>.</summary>
    internal static string Format(Errno errno, string operation) =>
        $"{operation} failed: {NameOf(errno)} ({Describe(errno)})";
}
