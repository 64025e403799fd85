using System.IO;

namespace Innernet.Netlink.Errors;

/// <summary>
/// A netlink reply was malformed, truncated or unexpected (a length that does not fit, a wrong
/// attribute size, a datagram larger than the receive buffer). Never caused by a kernel errno.
/// </summary>
public sealed class NetlinkProtocolException : IOException
{
    /// <summary>Creates the exception with a default message.</summary>
    public NetlinkProtocolException()
        : base("Malformed netlink message.")
    {
    }

    /// <summary>Creates the exception with a message saying what is wrong.</summary>
    public NetlinkProtocolException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the underlying cause.</summary>
    public NetlinkProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
