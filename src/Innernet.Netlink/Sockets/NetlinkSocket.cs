using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Innernet.Netlink.Errors;
using Innernet.Netlink.Interop;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace Innernet.Netlink.Sockets;

/// <summary>
/// A raw <c>AF_NETLINK</c> socket in the calling thread's network namespace: <c>SOCK_CLOEXEC</c>, bound to
/// port id 0 (the kernel assigns one, read back with <c>getsockname</c>), <c>NETLINK_EXT_ACK</c> and
/// <c>NETLINK_CAP_ACK</c> on, plus <c>NETLINK_GET_STRICT_CHK</c> for rtnetlink. Blocking; not thread-safe.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed unsafe class NetlinkSocket : INetlinkTransport
{
    private readonly NetlinkSocketHandle _handle;

    private NetlinkSocket(NetlinkSocketHandle handle, uint portId)
    {
        _handle = handle;
        PortId = portId;
    }

    public uint PortId { get; }

    /// <summary>Opens and binds a socket for <paramref name="protocol"/>.</summary>
    /// <exception cref="NetlinkException">A system call failed (errno and call name in the exception).</exception>
    public static NetlinkSocket Open(int protocol)
    {
        int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
        if (fd < 0)
        {
            ThrowHelper.ThrowSystemCall($"socket(AF_NETLINK, protocol {protocol})", Marshal.GetLastPInvokeError());
        }

        var handle = new NetlinkSocketHandle(fd);
        try
        {
            using var lease = handle.Borrow();
            EnableOptionIfKnown(lease.Fd, LinuxNetlink.NETLINK_EXT_ACK);
            EnableOptionIfKnown(lease.Fd, LinuxNetlink.NETLINK_CAP_ACK);
            if (protocol == LinuxNetlink.NETLINK_ROUTE)
            {
                EnableOptionIfKnown(lease.Fd, LinuxNetlink.NETLINK_GET_STRICT_CHK);
            }

            var address = new LinuxNetlink.sockaddr_nl { nl_family = (ushort)(int)AF_NETLINK };
            if (bind(lease.Fd, (sockaddr*)&address, (uint)sizeof(LinuxNetlink.sockaddr_nl)) != 0)
            {
                ThrowHelper.ThrowSystemCall("bind(AF_NETLINK)", Marshal.GetLastPInvokeError());
            }

            socklen_t length = (uint)sizeof(LinuxNetlink.sockaddr_nl);
            if (getsockname(lease.Fd, (sockaddr*)&address, &length) != 0)
            {
                ThrowHelper.ThrowSystemCall("getsockname(AF_NETLINK)", Marshal.GetLastPInvokeError());
            }

            return new NetlinkSocket(handle, address.nl_pid);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    public void Send(ReadOnlySpan<byte> datagram)
    {
        using var lease = _handle.Borrow();
        fixed (byte* p = datagram)
        {
            while (true)
            {
                long sent = send(lease.Fd, p, datagram.Length, 0);
                if (sent >= 0)
                {
                    if (sent != datagram.Length)
                    {
                        ThrowHelper.ThrowProtocol($"send() wrote {sent} of {datagram.Length} bytes of a netlink datagram.");
                    }

                    return;
                }

                int errno = Marshal.GetLastPInvokeError();
                if (errno != EINTR)
                {
                    ThrowHelper.ThrowSystemCall("send(netlink)", errno);
                }
            }
        }
    }

    public int Receive(Span<byte> buffer) => Receive(buffer, wait: true);

    /// <summary>Like <see cref="Receive(Span{byte})"/>, but returns -1 at once when nothing is queued (<c>MSG_DONTWAIT</c>).</summary>
    public int ReceiveNonBlocking(Span<byte> buffer) => Receive(buffer, wait: false);

    private int Receive(Span<byte> buffer, bool wait)
    {
        using var lease = _handle.Borrow();
        fixed (byte* p = buffer)
        {
            while (true)
            {
                LinuxNetlink.sockaddr_nl sender = default;
                iovec iov = default;
                iov.iov_base = p;
                iov.iov_len = buffer.Length;
                msghdr message = default;
                message.msg_name = &sender;
                message.msg_namelen = (uint)sizeof(LinuxNetlink.sockaddr_nl);
                message.msg_iov = &iov;
                message.msg_iovlen = 1;

                // MSG_TRUNC makes recvmsg return the datagram's real length even when it did not fit.
                long received = recvmsg(lease.Fd, &message, MSG_TRUNC | (wait ? 0 : MSG_DONTWAIT));
                if (received < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == EINTR)
                    {
                        continue;
                    }

                    if (!wait && errno == EAGAIN)
                    {
                        return -1;
                    }

                    ThrowHelper.ThrowSystemCall("recvmsg(netlink)", errno);
                }

                if (sender.nl_pid != 0)
                {
                    continue; // Not from the kernel: ignore (e.g. another process unicasting to us).
                }

                if ((message.msg_flags & MSG_TRUNC) != 0 && received <= buffer.Length)
                {
                    return buffer.Length + 1;
                }

                return (int)received;
            }
        }
    }

    /// <summary>Joins multicast group <paramref name="group"/> (<c>NETLINK_ADD_MEMBERSHIP</c>, e.g. <c>RTNLGRP_LINK</c>).</summary>
    /// <exception cref="NetlinkException">The kernel refused (unknown group, or not permitted).</exception>
    public void JoinGroup(int group)
    {
        using var lease = _handle.Borrow();
        if (setsockopt(lease.Fd, SOL_NETLINK, LinuxNetlink.NETLINK_ADD_MEMBERSHIP, &group, sizeof(int)) != 0)
        {
            ThrowHelper.ThrowSystemCall($"setsockopt(NETLINK_ADD_MEMBERSHIP, {group})", Marshal.GetLastPInvokeError());
        }
    }

    /// <summary>Sets <c>SO_RCVBUF</c> (the kernel doubles the value and enforces its own minimum and maximum).</summary>
    /// <exception cref="NetlinkException">The call failed.</exception>
    public void SetReceiveBufferSize(int bytes)
    {
        using var lease = _handle.Borrow();
        if (setsockopt(lease.Fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(int)) != 0)
        {
            ThrowHelper.ThrowSystemCall($"setsockopt(SO_RCVBUF, {bytes})", Marshal.GetLastPInvokeError());
        }
    }

    /// <summary>
    /// Blocks until the socket has a datagram (or a pending error such as <c>ENOBUFS</c>) to receive: true; or until
    /// <paramref name="wakeFd"/> (an eventfd) becomes readable: false.
    /// </summary>
    /// <exception cref="NetlinkException"><c>poll</c> failed.</exception>
    public bool WaitReadable(int wakeFd)
    {
        using var lease = _handle.Borrow();
        pollfd* fds = stackalloc pollfd[2];
        while (true)
        {
            fds[0] = new pollfd { fd = lease.Fd, events = POLLIN };
            fds[1] = new pollfd { fd = wakeFd, events = POLLIN };
            int ready = poll(fds, 2, -1);
            if (ready < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == EINTR)
                {
                    continue;
                }

                ThrowHelper.ThrowSystemCall("poll(netlink)", errno);
            }

            if (fds[1].revents != 0)
            {
                return false;
            }

            if (fds[0].revents != 0)
            {
                return true;
            }
        }
    }

    public void Dispose() => _handle.Dispose();

    /// <summary>
    /// Turns a netlink socket option on; old kernels (before 4.12 / 4.20) lack these, and replies then carry less detail.
    /// </summary>
    private static void EnableOptionIfKnown(int fd, int option)
    {
        int on = 1;
        _ = setsockopt(fd, SOL_NETLINK, option, &on, sizeof(int));
    }
}
