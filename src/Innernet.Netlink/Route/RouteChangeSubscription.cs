using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Threading;
using System.Threading.Channels;
using Innernet.Netlink.Errors;
using Innernet.Netlink.Interop;
using Innernet.Netlink.Protocol;
using Innernet.Netlink.Sockets;
using Tmds.Linux;

namespace Innernet.Netlink.Route;

/// <summary>The rtnetlink multicast groups a <see cref="RouteChangeSubscription"/> joins.</summary>
[Flags]
public enum RouteChangeGroups
{
    /// <summary>None (not a valid subscription).</summary>
    None = 0,

    /// <summary>Links (<c>RTNLGRP_LINK</c>).</summary>
    Links = 1 << 0,

    /// <summary>IPv4 addresses (<c>RTNLGRP_IPV4_IFADDR</c>).</summary>
    IPv4Addresses = 1 << 1,

    /// <summary>IPv6 addresses (<c>RTNLGRP_IPV6_IFADDR</c>).</summary>
    IPv6Addresses = 1 << 2,

    /// <summary>IPv4 routes (<c>RTNLGRP_IPV4_ROUTE</c>).</summary>
    IPv4Routes = 1 << 3,

    /// <summary>IPv6 routes (<c>RTNLGRP_IPV6_ROUTE</c>).</summary>
    IPv6Routes = 1 << 4,

    /// <summary>Every group above.</summary>
    All = Links | IPv4Addresses | IPv6Addresses | IPv4Routes | IPv6Routes,
}

/// <summary>
/// Link, address and route change notifications of one network namespace (that of the thread calling
/// <see cref="Open"/>), from an rtnetlink socket joined to the multicast groups asked for. A dedicated thread reads
/// the socket into a bounded channel; when the channel is full it stops reading, the kernel's socket buffer fills
/// and the kernel drops notifications. Loss is never silent: the kernel then reports <c>ENOBUFS</c> and the
/// subscriber gets a <see cref="ResyncRequired"/> event, after which it should re-dump the state it tracks.
/// </summary>
/// <remarks>
/// To track state without a gap: open the subscription first, then dump (<see cref="RouteNetlinkClient"/>), then
/// apply the events; an event may repeat what the dump already showed.
/// </remarks>
[SupportedOSPlatform("linux")]
public sealed class RouteChangeSubscription : IDisposable
{
    /// <summary>Events buffered between the socket and the subscriber when none is given to <see cref="Open"/>.</summary>
    public const int DefaultCapacity = 1024;

    private static readonly (RouteChangeGroups Group, int Id)[] GroupIds =
    [
        (RouteChangeGroups.Links, LinuxRtnetlink.RTNLGRP_LINK),
        (RouteChangeGroups.IPv4Addresses, LinuxRtnetlink.RTNLGRP_IPV4_IFADDR),
        (RouteChangeGroups.IPv6Addresses, LinuxRtnetlink.RTNLGRP_IPV6_IFADDR),
        (RouteChangeGroups.IPv4Routes, LinuxRtnetlink.RTNLGRP_IPV4_ROUTE),
        (RouteChangeGroups.IPv6Routes, LinuxRtnetlink.RTNLGRP_IPV6_ROUTE),
    ];

    private const int MaxDrained = 100_000;

    private readonly NetlinkSocket _socket;
    private readonly int _wakeFd;
    private readonly Channel<RouteNetlinkChange> _channel;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Thread _reader;
    private int _disposed;

    private RouteChangeSubscription(NetlinkSocket socket, int wakeFd, int capacity)
    {
        _socket = socket;
        _wakeFd = wakeFd;
        _channel = Channel.CreateBounded<RouteNetlinkChange>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleWriter = true,
        });
        _reader = new Thread(ReadLoop) { IsBackground = true, Name = "rtnetlink notifications" };
        _reader.Start();
    }

    /// <summary>
    /// The events, in the kernel's order. Completes when the subscription is disposed (after the events still buffered
    /// have been read); faults with
    /// <see cref="NetlinkException"/> when the socket fails (other than <c>ENOBUFS</c>, which is an event).
    /// </summary>
    public ChannelReader<RouteNetlinkChange> Changes => _channel.Reader;

    /// <summary>
    /// Joins <paramref name="groups"/> on a new rtnetlink socket in the calling thread's network namespace (use
    /// <see cref="NetworkNamespace.Run{T}(string, Func{T})"/> for another one) and starts reading.
    /// </summary>
    /// <param name="groups">The groups to join (at least one).</param>
    /// <param name="capacity">Events buffered before the reader stops draining the socket.</param>
    /// <param name="receiveBufferSize">The socket's <c>SO_RCVBUF</c> in bytes; null keeps the system default.</param>
    /// <returns>A subscription the caller disposes.</returns>
    /// <exception cref="ArgumentOutOfRangeException">No group, a capacity below 1 or a buffer size below 1.</exception>
    /// <exception cref="NetlinkException">The socket could not be created, sized or joined to a group.</exception>
    public static RouteChangeSubscription Open(
        RouteChangeGroups groups = RouteChangeGroups.All, int capacity = DefaultCapacity, int? receiveBufferSize = null)
    {
        if ((groups & RouteChangeGroups.All) == 0 || (groups & ~RouteChangeGroups.All) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(groups), groups, "Subscribe to at least one known group.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        if (receiveBufferSize is { } size)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(size, 1, nameof(receiveBufferSize));
        }

        NetlinkSocket socket = NetlinkSocket.Open(LinuxNetlink.NETLINK_ROUTE);
        int wakeFd = -1;
        try
        {
            if (receiveBufferSize is { } bytes)
            {
                socket.SetReceiveBufferSize(bytes);
            }

            foreach (var (group, id) in GroupIds)
            {
                if ((groups & group) != 0)
                {
                    socket.JoinGroup(id);
                }
            }

            wakeFd = LibC.eventfd(0, LibC.EFD_CLOEXEC);
            if (wakeFd < 0)
            {
                ThrowHelper.ThrowSystemCall("eventfd", Marshal.GetLastPInvokeError());
            }

            return new RouteChangeSubscription(socket, wakeFd, capacity);
        }
        catch
        {
            if (wakeFd >= 0)
            {
                _ = LibC.close(wakeFd);
            }

            socket.Dispose();
            throw;
        }
    }

    /// <summary>The events as an async stream, until the subscription is disposed or <paramref name="cancellationToken"/> fires.</summary>
    public IAsyncEnumerable<RouteNetlinkChange> ReadAllAsync(CancellationToken cancellationToken = default) =>
        _channel.Reader.ReadAllAsync(cancellationToken);

    /// <summary>Stops the reader thread, closes the socket and completes <see cref="Changes"/>.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stopping.Cancel();
        Wake();
        _reader.Join();
        _socket.Dispose();
        _ = LibC.close(_wakeFd);
        _stopping.Dispose();
    }

    private unsafe void Wake()
    {
        ulong one = 1;
        _ = LibC.write(_wakeFd, &one, sizeof(ulong));
    }

    private void ReadLoop()
    {
        var buffer = new byte[NetlinkConnection.ReceiveBufferSize];
        Exception? failure = null;
        try
        {
            while (_socket.WaitReadable(_wakeFd))
            {
                int length;
                try
                {
                    length = _socket.Receive(buffer);
                }
                catch (NetlinkException e) when (e.Errno == Errno.ENOBUFS)
                {
                    // The kernel keeps dropping notifications until the queue has been emptied once, so a change
                    // made after the subscriber's re-dump could still be lost: empty it (what is queued predates
                    // the re-dump) before the signal, so every later change arrives or overruns again.
                    Drain(buffer);
                    if (!Publish(new ResyncRequired()))
                    {
                        return;
                    }

                    continue;
                }

                if (length > buffer.Length)
                {
                    ThrowHelper.ThrowProtocol(
                        $"A {length}-byte rtnetlink notification exceeded the {buffer.Length}-byte receive buffer (MSG_TRUNC).");
                }

                if (!PublishDatagram(buffer.AsSpan(0, length)))
                {
                    return;
                }
            }
        }
        catch (Exception e)
        {
            failure = _stopping.IsCancellationRequested ? null : e; // While stopping, failures are the teardown's.
        }
        finally
        {
            _channel.Writer.TryComplete(failure);
        }
    }

    /// <summary>Discards every queued datagram (bounded, should changes keep arriving faster than they are discarded).</summary>
    private void Drain(byte[] buffer)
    {
        for (int i = 0; i < MaxDrained; i++)
        {
            try
            {
                if (_socket.ReceiveNonBlocking(buffer) < 0)
                {
                    return;
                }
            }
            catch (NetlinkException e) when (e.Errno == Errno.ENOBUFS)
            {
                // Another overrun while draining: the one signal about to be sent covers it.
            }
        }
    }

    /// <summary>Publishes every notification of one datagram; false once the subscription is stopping.</summary>
    private bool PublishDatagram(ReadOnlySpan<byte> datagram)
    {
        var changes = new List<RouteNetlinkChange>();
        int offset = 0;
        foreach (NetlinkMessage message in new NetlinkMessageReader(datagram))
        {
            int start = offset;
            offset += Math.Min(NetlinkAlignment.Align((int)message.Header.Length), datagram.Length - offset);
            if (message.Header.Type == LinuxNetlink.NLMSG_OVERRUN)
            {
                changes.Add(new ResyncRequired());
            }
            else if (RouteMessages.ParseChange(datagram.Slice(start, (int)message.Header.Length)) is { } change)
            {
                changes.Add(change);
            }
        }

        foreach (RouteNetlinkChange change in changes)
        {
            if (!Publish(change))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Writes one event, waiting while the channel is full; false once the subscription is stopping.</summary>
    private bool Publish(RouteNetlinkChange change)
    {
        while (!_channel.Writer.TryWrite(change))
        {
            if (_stopping.IsCancellationRequested
                || !_channel.Writer.WaitToWriteAsync(_stopping.Token).AsTask().GetAwaiter().GetResult())
            {
                return false;
            }
        }

        return true;
    }
}
