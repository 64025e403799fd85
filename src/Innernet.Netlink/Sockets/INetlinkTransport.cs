namespace Innernet.Netlink.Sockets;

/// <summary>
/// The datagram seam under <see cref="NetlinkConnection"/>: the real <see cref="NetlinkSocket"/> or, in tests, a
/// scripted fake kernel. Datagrams from senders other than the kernel (port id 0) must not be returned.
/// </summary>
internal interface INetlinkTransport : IDisposable
{
    /// <summary>The socket's own port id (<c>nl_pid</c> assigned at bind); replies carry it in <c>nlmsg_pid</c>.</summary>
    uint PortId { get; }

    /// <summary>Sends one datagram to the kernel.</summary>
    void Send(ReadOnlySpan<byte> datagram);

    /// <summary>
    /// Receives one datagram into <paramref name="buffer"/> and returns its full length; a result larger than the
    /// buffer means the datagram was truncated (<c>MSG_TRUNC</c>).
    /// </summary>
    int Receive(Span<byte> buffer);
}
