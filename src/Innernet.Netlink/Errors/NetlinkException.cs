using System.IO;
using Innernet.Netlink.Interop;

namespace Innernet.Netlink.Errors;

/// <summary>
/// The kernel refused a netlink request: it answered with a negative errno in <c>NLMSG_ERROR</c> or
/// <c>NLMSG_DONE</c>. Carries the errno, its symbolic name and the kernel's extended-ACK explanation.
/// </summary>
public sealed class NetlinkException : IOException
{
    /// <summary>Creates an exception for a kernel error.</summary>
    /// <param name="errno">The positive errno (e.g. 19 for <c>ENODEV</c>).</param>
    /// <param name="operation">What was being done, e.g. <c>RTM_NEWLINK wg0</c>.</param>
    /// <param name="extendedAckMessage">The kernel's <c>NLMSGERR_ATTR_MSG</c> text, if any.</param>
    /// <param name="extendedAckOffset">The <c>NLMSGERR_ATTR_OFFS</c> byte offset into the request, if any.</param>
    public NetlinkException(int errno, string operation, string? extendedAckMessage = null, int? extendedAckOffset = null)
        : base(Format(errno, operation, extendedAckMessage, extendedAckOffset))
    {
        Errno = errno;
        ErrorName = Interop.LinuxErrno.Name(errno);
        Operation = operation;
        ExtendedAckMessage = extendedAckMessage;
        ExtendedAckOffset = extendedAckOffset;
        HResult = errno;
    }

    /// <summary>Creates an exception with a message only (errno 0).</summary>
    public NetlinkException()
        : this(0, "netlink")
    {
    }

    /// <summary>Creates an exception with a message only (errno 0).</summary>
    public NetlinkException(string message)
        : base(message)
    {
        ErrorName = string.Empty;
        Operation = string.Empty;
    }

    /// <summary>Creates an exception with a message and an inner exception (errno 0).</summary>
    public NetlinkException(string message, Exception innerException)
        : base(message, innerException)
    {
        ErrorName = string.Empty;
        Operation = string.Empty;
    }

    /// <summary>The positive errno reported by the kernel (e.g. 17 for <c>EEXIST</c>).</summary>
    public int Errno { get; }

    /// <summary>The symbolic errno name, e.g. <c>ENODEV</c>.</summary>
    public string ErrorName { get; }

    /// <summary>The operation that failed, e.g. <c>RTM_NEWADDR 10.0.0.1/24 on ifindex 5</c>.</summary>
    public string Operation { get; }

    /// <summary>The kernel's extended-ACK text (<c>NLMSGERR_ATTR_MSG</c>), or null when it sent none.</summary>
    public string? ExtendedAckMessage { get; }

    /// <summary>Byte offset of the offending attribute in the request (<c>NLMSGERR_ATTR_OFFS</c>), or null.</summary>
    public int? ExtendedAckOffset { get; }

    private static string Format(int errno, string operation, string? extack, int? offset)
    {
        string text = errno == 0 ? "no error" : System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno);
        string message = $"{operation} failed: {Interop.LinuxErrno.Name(errno)} ({text})";
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
