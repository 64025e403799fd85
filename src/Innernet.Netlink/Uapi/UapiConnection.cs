using System.Buffers;
using System.Diagnostics;
using System.IO;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Innernet.Netlink.WireGuard;

namespace Innernet.Netlink.Uapi;

/// <summary>
/// One UAPI exchange over a unix stream socket: connect, write a request, read one reply up to its
/// blank line. Used for exactly one operation and then disposed (wireguard-go leaves the rest of a
/// failed request in its buffer, so a connection is never reused). Every read and write is bounded by
/// one overall deadline; replies are capped in size. The asynchronous members also take a
/// <see cref="CancellationToken"/>: it interrupts connecting and waiting for the reply, never the sending
/// of a request (wireguard-go applies a set request line by line as it reads it, so a request cut short
/// would leave the device half configured). Not thread-safe.
/// </summary>
internal sealed class UapiConnection : IDisposable
{
    private const int ReceiveChunk = 64 * 1024;
    private static readonly TimeSpan SendFailureGrace = TimeSpan.FromSeconds(1);

    private readonly Socket _socket;
    private readonly string _path;
    private readonly TimeSpan _timeout;
    private readonly Stopwatch _clock;
    private TimeSpan _deadline;

    private UapiConnection(Socket socket, string path, TimeSpan timeout, Stopwatch clock)
    {
        _socket = socket;
        _path = path;
        _timeout = timeout;
        _clock = clock;
        _deadline = timeout;
    }

    /// <summary>The outcome of <see cref="TryConnect"/>.</summary>
    internal enum ConnectResult
    {
        /// <summary>Connected.</summary>
        Connected,

        /// <summary>No socket file (ENOENT).</summary>
        Missing,

        /// <summary>A socket file with no listener (ECONNREFUSED): the implementation died without cleaning up.</summary>
        Stale,
    }

    /// <summary>
    /// Connects to <paramref name="path"/>. A missing or stale socket is reported, not thrown; other
    /// failures (permission, timeout) throw <see cref="WireGuardUapiException"/> with the errno.
    /// </summary>
    public static ConnectResult TryConnect(string path, TimeSpan timeout, out UapiConnection? connection)
    {
        connection = null;
        var clock = Stopwatch.StartNew();
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            int milliseconds = TimeoutMilliseconds(timeout);
            socket.SendTimeout = milliseconds;
            socket.ReceiveTimeout = milliseconds;
            socket.Connect(new UnixDomainSocketEndPoint(path));
            connection = new UapiConnection(socket, path, timeout, clock);
            return ConnectResult.Connected;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressNotAvailable or SocketError.ConnectionRefused)
        {
            socket.Dispose();
            return e.SocketErrorCode == SocketError.ConnectionRefused ? ConnectResult.Stale : ConnectResult.Missing;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new WireGuardUapiException(ErrnoOf(e), $"Cannot connect to the WireGuard UAPI socket {path}: {e.Message}", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// <see cref="TryConnect"/> without blocking the thread; <paramref name="cancellationToken"/> aborts the
    /// connection attempt (<see cref="OperationCanceledException"/>), <paramref name="timeout"/> still bounds it.
    /// </summary>
    public static async ValueTask<(ConnectResult Result, UapiConnection? Connection)> TryConnectAsync(
        string path, TimeSpan timeout, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var clock = Stopwatch.StartNew();
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        var connection = new UapiConnection(socket, path, timeout, clock);
        try
        {
            using var deadline = connection.Deadline(cancellationToken);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), deadline.Token).ConfigureAwait(false);
            return (ConnectResult.Connected, connection);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressNotAvailable or SocketError.ConnectionRefused)
        {
            connection.Dispose();
            return (e.SocketErrorCode == SocketError.ConnectionRefused ? ConnectResult.Stale : ConnectResult.Missing, null);
        }
        catch (SocketException e)
        {
            connection.Dispose();
            throw new WireGuardUapiException(ErrnoOf(e), $"Cannot connect to the WireGuard UAPI socket {path}: {e.Message}", e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            connection.Dispose();
            throw connection.TimedOut("connecting", e);
        }
        catch (OperationCanceledException e)
        {
            connection.Dispose();
            throw connection.Cancelled("connecting", e, cancellationToken);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>True when something accepts connections at <paramref name="path"/>.</summary>
    public static bool IsConnectable(string path, TimeSpan timeout)
    {
        try
        {
            var result = TryConnect(path, timeout, out var connection);
            connection?.Dispose();
            return result == ConnectResult.Connected;
        }
        catch (WireGuardUapiException)
        {
            return false;
        }
    }

    /// <summary><see cref="IsConnectable"/> without blocking the thread; cancellation throws.</summary>
    public static async ValueTask<bool> IsConnectableAsync(string path, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            var (result, connection) = await TryConnectAsync(path, timeout, cancellationToken).ConfigureAwait(false);
            connection?.Dispose();
            return result == ConnectResult.Connected;
        }
        catch (WireGuardUapiException)
        {
            return false;
        }
    }

    /// <summary>
    /// Sends <paramref name="request"/> and returns the complete reply, including its terminating blank
    /// line. If the peer stops reading mid-request (it answers a failed set early and closes), the reply
    /// it already sent is still returned (and then carries the errno).
    /// </summary>
    /// <exception cref="WireGuardUapiException">Timeout (ETIMEDOUT), oversize (EMSGSIZE), truncation or an I/O error.</exception>
    public ReadOnlySequence<byte> Exchange(ReadOnlyMemory<byte> request, int maxReplyBytes)
    {
        SocketException? sendError;
        try
        {
            Send(request.Span);
            return ReadReply(maxReplyBytes);
        }
        catch (SocketException e)
        {
            sendError = e;
        }

        AllowSendFailureGrace();
        try
        {
            return ReadReply(maxReplyBytes);
        }
        catch (WireGuardUapiException)
        {
            throw SendFailed(sendError);
        }
    }

    /// <summary>
    /// <see cref="Exchange"/> without blocking the thread. <paramref name="cancellationToken"/> is honoured
    /// while waiting for the reply; the request itself is always sent whole (bounded by the timeout), so a
    /// cancelled set has been delivered completely and the implementation applies all of it.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="WireGuardUapiException">Timeout (ETIMEDOUT), oversize (EMSGSIZE), truncation or an I/O error.</exception>
    public async ValueTask<ReadOnlySequence<byte>> ExchangeAsync(ReadOnlyMemory<byte> request, int maxReplyBytes, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        SocketException? sendError = null;
        try
        {
            await SendAsync(request).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            sendError = e;
        }

        if (sendError is null)
        {
            return await ReadReplyAsync(maxReplyBytes, cancellationToken).ConfigureAwait(false);
        }

        AllowSendFailureGrace();
        try
        {
            return await ReadReplyAsync(maxReplyBytes, cancellationToken).ConfigureAwait(false);
        }
        catch (WireGuardUapiException)
        {
            throw SendFailed(sendError);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _socket.Dispose();

    private void Send(ReadOnlySpan<byte> bytes)
    {
        int sent = 0;
        while (sent < bytes.Length)
        {
            _socket.SendTimeout = RemainingMilliseconds();
            sent += _socket.Send(bytes[sent..], SocketFlags.None);
        }
    }

    /// <summary>Sends all of <paramref name="bytes"/>, bounded by the deadline only (see the class remarks).</summary>
    private async ValueTask SendAsync(ReadOnlyMemory<byte> bytes)
    {
        using var deadline = Deadline(CancellationToken.None);
        int sent = 0;
        try
        {
            while (sent < bytes.Length)
            {
                sent += await _socket.SendAsync(bytes[sent..], SocketFlags.None, deadline.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException e)
        {
            throw new SocketException((int)SocketError.TimedOut, $"sending timed out after {sent} of {bytes.Length} bytes: {e.Message}");
        }
    }

    private ReadOnlySequence<byte> ReadReply(int maxReplyBytes)
    {
        var reply = new ReplyBuffer(_path, maxReplyBytes);
        while (true)
        {
            var chunk = reply.NextChunk();
            int received;
            _socket.ReceiveTimeout = RemainingMilliseconds();
            try
            {
                received = _socket.Receive(chunk.Array!, chunk.Offset, chunk.Count, SocketFlags.None);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
            {
                throw TimedOut("waiting for the reply", e);
            }
            catch (SocketException e)
            {
                throw ReceiveFailed(e);
            }

            if (reply.Add(received))
            {
                return reply.ToSequence();
            }
        }
    }

    private async ValueTask<ReadOnlySequence<byte>> ReadReplyAsync(int maxReplyBytes, CancellationToken cancellationToken)
    {
        var reply = new ReplyBuffer(_path, maxReplyBytes);
        using var deadline = Deadline(cancellationToken);
        while (true)
        {
            var chunk = reply.NextChunk();
            int received;
            try
            {
                received = await _socket.ReceiveAsync(chunk.AsMemory(), SocketFlags.None, deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw TimedOut("waiting for the reply", e);
            }
            catch (OperationCanceledException e)
            {
                throw Cancelled("waiting for the reply", e, cancellationToken);
            }
            catch (SocketException e)
            {
                throw ReceiveFailed(e);
            }

            if (reply.Add(received))
            {
                return reply.ToSequence();
            }
        }
    }

    /// <summary>
    /// A token cancelled when <paramref name="cancellationToken"/> is or when the operation's deadline
    /// passes (a passed deadline throws ETIMEDOUT right away).
    /// </summary>
    private CancellationTokenSource Deadline(CancellationToken cancellationToken)
    {
        var remaining = _deadline - _clock.Elapsed;
        if (remaining <= TimeSpan.Zero)
        {
            throw TimedOut("the operation", null);
        }

        var source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        source.CancelAfter(TimeSpan.FromMilliseconds(TimeoutMilliseconds(remaining)));
        return source;
    }

    /// <summary>
    /// wireguard-go answers a failed set at the failing line and closes the connection once the rest of
    /// the request parses as an unknown operation, so sending can fail (Linux reports the reset of a unix
    /// socket with unread data in various ways, .NET even as TimedOut). Its answer is what matters: it is
    /// read within a short grace period.
    /// </summary>
    private void AllowSendFailureGrace()
    {
        var grace = _clock.Elapsed + SendFailureGrace;
        if (grace > _deadline)
        {
            _deadline = grace;
        }
    }

    private WireGuardUapiException SendFailed(SocketException sendError)
    {
        if (sendError.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock && _clock.Elapsed >= _timeout)
        {
            return TimedOut("sending the request", sendError);
        }

        return new WireGuardUapiException(
            ErrnoOf(sendError), $"Sending the request to the WireGuard UAPI socket {_path} failed: {sendError.Message}", sendError);
    }

    private WireGuardUapiException ReceiveFailed(SocketException e) =>
        new(ErrnoOf(e), $"Reading the reply from the WireGuard UAPI socket {_path} failed: {e.Message}", e);

    private int RemainingMilliseconds()
    {
        var remaining = _deadline - _clock.Elapsed;
        if (remaining <= TimeSpan.Zero)
        {
            throw TimedOut("the operation", null);
        }

        return TimeoutMilliseconds(remaining);
    }

    private WireGuardUapiException TimedOut(string what, Exception? inner) =>
        new(Errno.ETIMEDOUT,
            $"Timed out after {_timeout.TotalSeconds:0.###} s {what} on the WireGuard UAPI socket {_path} " +
            "(WireGuardClientOptions.OperationTimeout).",
            inner);

    private OperationCanceledException Cancelled(string what, Exception inner, CancellationToken cancellationToken) =>
        new($"Cancelled {what} on the WireGuard UAPI socket {_path}; the connection is closed.", inner, cancellationToken);

    private static int TimeoutMilliseconds(TimeSpan timeout) =>
        (int)Math.Clamp(Math.Ceiling(timeout.TotalMilliseconds), 1, int.MaxValue);

    /// <summary>Maps a socket error to the positive errno a caller can act on.</summary>
    internal static Errno ErrnoOf(SocketException e) => e.SocketErrorCode switch
    {
        SocketError.AccessDenied => Errno.EACCES,
        SocketError.ConnectionRefused => Errno.ECONNREFUSED,
        SocketError.AddressNotAvailable => Errno.ENOENT,
        SocketError.TimedOut => Errno.ETIMEDOUT,
        _ => Errno.EIO,
    };

    /// <summary>One received chunk of a reply, linked to the next.</summary>
    private sealed class Chunk : ReadOnlySequenceSegment<byte>
    {
        public Chunk(byte[] bytes, long runningIndex)
        {
            Memory = bytes;
            RunningIndex = runningIndex;
        }

        public Chunk Append(byte[] bytes)
        {
            var next = new Chunk(bytes, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }

    /// <summary>
    /// Collects one reply in chunks of <see cref="ReceiveChunk"/> bytes, up to the cap, finds the end, rejects bytes after
    /// it, and hands them over as they are: a reply of megabytes (a device with thousands of peers) is neither copied at
    /// every doubling of one growing buffer nor once more into an array of its size. The chunks are small objects the
    /// youngest generation's collection frees (not pooled: a pool would keep megabytes for the rest of the process).
    /// </summary>
    internal sealed class ReplyBuffer(string path, int maxReplyBytes)
    {
        private readonly List<byte[]> _full = [];
        private byte[]? _chunk;
        private int _used;
        private int _length;
        private bool _lastWasNewline;

        /// <summary>Room for the next receive.</summary>
        /// <exception cref="WireGuardUapiException">The reply exceeds the cap (EMSGSIZE).</exception>
        public ArraySegment<byte> NextChunk()
        {
            if (_length >= maxReplyBytes)
            {
                throw new WireGuardUapiException(
                    Errno.EMSGSIZE,
                    $"The reply from the WireGuard UAPI socket {path} exceeds the {maxReplyBytes}-byte limit " +
                    "(WireGuardClientOptions.MaxReplyBytes).");
            }

            if (_chunk is null || _used == _chunk.Length)
            {
                if (_chunk is not null)
                {
                    _full.Add(_chunk);
                }

                _chunk = new byte[ReceiveChunk];
                _used = 0;
            }

            return new ArraySegment<byte>(_chunk, _used, Math.Min(_chunk.Length - _used, maxReplyBytes - _length));
        }

        /// <summary>Takes <paramref name="received"/> new bytes; true once the reply is complete.</summary>
        /// <exception cref="WireGuardUapiException">The peer closed early or sent bytes after the end (EPROTO).</exception>
        public bool Add(int received)
        {
            if (received == 0)
            {
                throw new WireGuardUapiException(
                    Errno.EPROTO,
                    $"The WireGuard UAPI socket {path} closed the connection before the end of its reply ({_length} bytes received).");
            }

            int end = FindEnd(_chunk.AsSpan(_used, received));
            _used += received;
            _length += received;
            if (end < 0)
            {
                return false;
            }

            if (end != received)
            {
                throw new WireGuardUapiException(
                    Errno.EPROTO,
                    $"The WireGuard UAPI socket {path} sent {received - end} unexpected bytes after the end of its reply.");
            }

            return true;
        }

        /// <summary>The reply, in the chunks it was received in.</summary>
        public ReadOnlySequence<byte> ToSequence()
        {
            if (_chunk is null)
            {
                return ReadOnlySequence<byte>.Empty;
            }

            if (_full.Count == 0)
            {
                return new ReadOnlySequence<byte>(_chunk, 0, _used);
            }

            var first = new Chunk(_full[0], 0);
            var last = first;
            for (int i = 1; i < _full.Count; i++)
            {
                last = last.Append(_full[i]);
            }

            last = last.Append(_chunk);
            return new ReadOnlySequence<byte>(first, 0, last, _used);
        }

        /// <summary>
        /// Finds the end of a reply (just past its blank line) among the new bytes, as an offset into them; -1 when not
        /// there yet. A reply's blank line is a '\n' that starts the reply or follows another '\n'.
        /// </summary>
        private int FindEnd(ReadOnlySpan<byte> received)
        {
            if (received.IsEmpty)
            {
                return -1;
            }

            // The blank line's '\n' is the first of the new bytes when the reply starts there or the previous chunk
            // ended with a '\n'; otherwise it ends the first "\n\n" among them (a vectorised search: replies of
            // thousands of peers are hundreds of kilobytes).
            if (received[0] == (byte)'\n' && (_length == 0 || _lastWasNewline))
            {
                return 1;
            }

            int pair = received.IndexOf("\n\n"u8);
            if (pair >= 0)
            {
                return pair + 2;
            }

            _lastWasNewline = received[^1] == (byte)'\n';
            return -1;
        }
    }
}
