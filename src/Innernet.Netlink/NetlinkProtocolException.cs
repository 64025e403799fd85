namespace Innernet.Netlink;

/// <summary>
/// A netlink reply was malformed, truncated or unexpected (a length that does not fit, a wrong attribute size, a
/// datagram larger than the receive buffer). Never caused by a kernel errno; <see cref="NetlinkException.Errno"/> is
/// always <see cref="Errno.EPROTO"/>.
/// </summary>
public sealed class NetlinkProtocolException : NetlinkException
{
    /// <summary>Creates the exception with a default message.</summary>
    public NetlinkProtocolException()
        : this("Malformed netlink message.")
    {
    }

    /// <summary>Creates the exception with a message saying what is wrong.</summary>
    /// <param name="message">What is wrong with the reply.</param>
    public NetlinkProtocolException(string message)
        : base(Errno.EPROTO, "netlink reply", message, null)
    {
    }

    /// <summary>Creates the exception with a message and the underlying cause.</summary>
    /// <param name="message">What is wrong with the reply.</param>
    /// <param name="innerException">The underlying cause.</param>
    public NetlinkProtocolException(string message, Exception innerException)
        : base(Errno.EPROTO, "netlink reply", message, innerException)
    {
    }
}
