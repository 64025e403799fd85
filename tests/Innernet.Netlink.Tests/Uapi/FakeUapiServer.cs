using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;

namespace Innernet.Netlink.Tests.Uapi;

/// <summary>
/// An in-process UAPI endpoint on a unix socket: accepts connections, reads one request per
/// connection up to its blank line, records it, and answers with the bytes <c>respond</c> returns
/// (null = never answer, keep the connection open). Closes each connection after answering, like
/// wireguard-go does when the client closes. Tests can wait for a request to arrive and for the client to
/// close a connection the server holds open.
/// </summary>
internal sealed class FakeUapiServer : IDisposable
{
    private readonly Socket _listener;
    private readonly Func<string, byte[]?> _respond;
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly ConcurrentBag<Socket> _held = [];
    private readonly Thread _thread;
    private readonly bool _holdOpen;
    private readonly SemaphoreSlim _requestSeen = new(0);
    private readonly SemaphoreSlim _heldClosed = new(0);

    /// <param name="socketPath">Where to listen.</param>
    /// <param name="respond">The reply to a request; null = never answer.</param>
    /// <param name="holdOpen">Keep each connection open after replying (a server that stalls mid-reply).</param>
    public FakeUapiServer(string socketPath, Func<string, byte[]?> respond, bool holdOpen = false)
    {
        SocketPath = socketPath;
        _respond = respond;
        _holdOpen = holdOpen;
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        _listener.Listen(16);
        _thread = new Thread(AcceptLoop) { IsBackground = true, Name = "FakeUapiServer" };
        _thread.Start();
    }

    public string SocketPath { get; }

    public IReadOnlyList<string> Requests => [.. _requests];

    /// <summary>
    /// Waits until one more complete request has arrived and its reply, if any, has been sent (counting from the last
    /// wait); false on timeout.
    /// </summary>
    public bool WaitForRequest(TimeSpan timeout) => _requestSeen.Wait(timeout);

    /// <summary>Waits until the client has closed one more held (unanswered or stalled) connection; false on timeout.</summary>
    public bool WaitForHeldConnectionClosed(TimeSpan timeout) => _heldClosed.Wait(timeout);

    /// <summary>A server that answers every request with the same text.</summary>
    public static FakeUapiServer Replying(string socketPath, string reply) =>
        new(socketPath, _ => Encoding.ASCII.GetBytes(reply));

    public void Dispose()
    {
        _listener.Dispose();
        foreach (var socket in _held)
        {
            socket.Dispose();
        }

        _thread.Join(TimeSpan.FromSeconds(5));
    }

    /// <summary>Leaves a stale socket file at <paramref name="path"/>: bound once, nobody listening now.</summary>
    public static void CreateStaleSocket(string path)
    {
        // .NET unlinks a bound socket file on dispose; bind elsewhere and move the file into place.
        string temporary = path + ".tmp";
        using (var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            socket.Bind(new UnixDomainSocketEndPoint(temporary));
            File.Move(temporary, path);
        }
    }

    private void AcceptLoop()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = _listener.Accept();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }

            var worker = new Thread(() => Serve(client)) { IsBackground = true };
            worker.Start();
        }
    }

    private void Serve(Socket client)
    {
        var request = new List<byte>();
        var buffer = new byte[65536];
        try
        {
            while (!IsComplete(request))
            {
                int read = client.Receive(buffer);
                if (read == 0)
                {
                    client.Dispose();
                    return;
                }

                request.AddRange(buffer.AsSpan(0, read).ToArray());
            }

            string text = Encoding.ASCII.GetString([.. request]);
            _requests.Enqueue(text);
            var reply = _respond(text);
            if (reply is not null)
            {
                client.Send(reply);
            }

            _requestSeen.Release();
            if (reply is null || _holdOpen)
            {
                Hold(client, buffer);
                return;
            }

            client.Shutdown(SocketShutdown.Both);
            client.Dispose();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            client.Dispose();
        }
    }

    /// <summary>Keeps the connection open, reading until the client closes it, then counts the close.</summary>
    private void Hold(Socket client, byte[] buffer)
    {
        _held.Add(client);
        try
        {
            while (client.Receive(buffer) > 0)
            {
            }
        }
        catch (SocketException)
        {
            // A reset is a close too.
        }

        _heldClosed.Release();
    }

    private static bool IsComplete(List<byte> request)
    {
        int n = request.Count;
        return (n == 1 && request[0] == '\n') || (n >= 2 && request[n - 1] == '\n' && request[n - 2] == '\n');
    }
}
