using System.Diagnostics;
using System.IO;
using System.Net.Sockets;
using System.Text;
using Innernet.Netlink.WireGuard;

namespace Innernet.Netlink.Uapi;

/// <summary>
/// One UAPI exchange over a unix stream socket: connect, write a request, read one reply up to its
/// blank line. Used for exactly one operation and then disposed (wireguard-go leaves the rest of a
/// failed request in its buffer, so a connection is never reused). Every read and write is bounded by
/// one overall deadline; replies are capped in size. Not thread-safe.
/// </summary>
internal sealed class UapiConnection : IDisposable
{
    private const int ReceiveChunk = 64 * 1024;
    private const int InitialBuffer = 4 * 1024;
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

    /// <summary>
    /// Sends <paramref name="request"/> and returns the complete reply, including its terminating blank
    /// line. If the peer stops reading mid-request (it answers a failed set early and closes), the reply
    /// it already sent is still returned (and then carries the errno).
    /// </summary>
    /// <exception cref="WireGuardUapiException">Timeout (ETIMEDOUT), oversize (EMSGSIZE), truncation or an I/O error.</exception>
    public byte[] Exchange(string request, int maxReplyBytes)
    {
        SocketException? sendError;
        try
        {
            Send(Encoding.ASCII.GetBytes(request));
            return ReadReply(maxReplyBytes);
        }
        catch (SocketException e)
        {
            sendError = e;
        }

        // wireguard-go answers a failed set at the failing line and closes the connection once the
        // rest of the request parses as an unknown operation, so sending can fail (Linux reports the
        // reset of a unix socket with unread data in various ways, .NET even as TimedOut). Its answer
        // is what matters: read it within a short grace period.
        var grace = _clock.Elapsed + SendFailureGrace;
        if (grace > _deadline)
        {
            _deadline = grace;
        }

        try
        {
            return ReadReply(maxReplyBytes);
        }
        catch (WireGuardUapiException)
        {
            if (sendError.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock && _clock.Elapsed >= _timeout)
            {
                throw TimedOut("sending the request", sendError);
            }

            throw new WireGuardUapiException(
                ErrnoOf(sendError), $"Sending the request to the WireGuard UAPI socket {_path} failed: {sendError.Message}", sendError);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _socket.Dispose();

    private void Send(byte[] bytes)
    {
        int sent = 0;
        while (sent < bytes.Length)
        {
            _socket.SendTimeout = RemainingMilliseconds();
            sent += _socket.Send(bytes, sent, bytes.Length - sent, SocketFlags.None);
        }
    }

    private byte[] ReadReply(int maxReplyBytes)
    {
        var buffer = new byte[InitialBuffer];
        int length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (buffer.Length >= maxReplyBytes)
                {
                    throw new WireGuardUapiException(
                        Errno.EMSGSIZE,
                        $"The reply from the WireGuard UAPI socket {_path} exceeds the {maxReplyBytes}-byte limit (WireGuardClientOptions.MaxReplyBytes).");
                }

                Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2, maxReplyBytes));
            }

            int received;
            _socket.ReceiveTimeout = RemainingMilliseconds();
            try
            {
                received = _socket.Receive(buffer, length, Math.Min(ReceiveChunk, buffer.Length - length), SocketFlags.None);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
            {
                throw TimedOut("waiting for the reply", e);
            }
            catch (SocketException e)
            {
                throw new WireGuardUapiException(ErrnoOf(e), $"Reading the reply from the WireGuard UAPI socket {_path} failed: {e.Message}", e);
            }

            if (received == 0)
            {
                throw new WireGuardUapiException(
                    Errno.EPROTO,
                    $"The WireGuard UAPI socket {_path} closed the connection before the end of its reply ({length} bytes received).");
            }

            int end = FindEnd(buffer, length, received);
            length += received;
            if (end >= 0)
            {
                if (end != length)
                {
                    throw new WireGuardUapiException(
                        Errno.EPROTO, $"The WireGuard UAPI socket {_path} sent {length - end} unexpected bytes after the end of its reply.");
                }

                return buffer[..length];
            }
        }
    }

    /// <summary>
    /// Finds the end of a reply (just past its blank line) among the <paramref name="count"/> new bytes
    /// at <paramref name="start"/>; -1 when not there yet. A reply's blank line is a '\n' that starts the
    /// reply or follows another '\n'.
    /// </summary>
    private static int FindEnd(byte[] buffer, int start, int count)
    {
        for (int i = start; i < start + count; i++)
        {
            if (buffer[i] == (byte)'\n' && (i == 0 || buffer[i - 1] == (byte)'\n'))
            {
                return i + 1;
            }
        }

        return -1;
    }

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
}
