namespace Innernet.Netlink;

/// <summary>
/// The kernel refused a netlink request: it answered with a negative errno in <c>NLMSG_ERROR</c> or
/// <c>NLMSG_DONE</c>. Adds the kernel's extended-ACK explanation to the errno.
/// </summary>
public sealed class NetlinkErrorException : NetlinkException
{
    /// <summary>Creates an exception with <see cref="Errno.EIO"/> and a generic message.</summary>
    public NetlinkErrorException()
        : base()
    {
    }

    /// <summary>Creates an exception with <see cref="Errno.EIO"/> and a message.</summary>
    /// <param name="message">What failed.</param>
    public NetlinkErrorException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with <see cref="Errno.EIO"/>, a message and the underlying cause.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The underlying cause.</param>
    public NetlinkErrorException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception for a kernel error.</summary>
    /// <param name="errno">The positive errno from the reply (e.g. <see cref="Errno.ENODEV"/>).</param>
    /// <param name="operation">What was being done, e.g. <c>RTM_NEWLINK wg0</c>.</param>
    /// <param name="extendedAckMessage">The kernel's <c>NLMSGERR_ATTR_MSG</c> text, if any.</param>
    /// <param name="extendedAckOffset">The <c>NLMSGERR_ATTR_OFFS</c> byte offset into the request, if any.</param>
    public NetlinkErrorException(Errno errno, string operation, string? extendedAckMessage = null, int? extendedAckOffset = null)
        : base(errno, operation, Format(errno, operation, extendedAckMessage, extendedAckOffset), null)
    {
        ExtendedAckMessage = extendedAckMessage;
        ExtendedAckOffset = extendedAckOffset;
    }

    /// <summary>The kernel's extended-ACK text (<c>NLMSGERR_ATTR_MSG</c>), or null when it sent none.</summary>
    public string? ExtendedAckMessage { get; }

    /// <summary>Byte offset of the offending attribute in the request (<c>NLMSGERR_ATTR_OFFS</c>), or null.</summary>
    public int? ExtendedAckOffset { get; }

    private static string Format(Errno errno, string operation, string? extack, int? offset)
    {
        string message = Format(errno, operation);
        if (!string.IsNullOrEmpty(extack))
        {
            message += $": {extack}";
        }

        if (offset is int o)
        {
            message += $" (at request offset {o})";
        }

        return message;
    }
}
