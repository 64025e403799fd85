using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Tmds.Linux;

namespace Innernet.Server.Api;

/// <summary>
/// Creates and binds the API's listen sockets for Kestrel (<see cref="SocketTransportOptions.CreateBoundListenSocket"/>;
/// Kestrel calls listen() afterwards):
/// TCP sockets come from <see cref="ServerAppOptions.CreateListenSocket"/> (or are plain sockets) and get
/// SO_BINDTODEVICE; the admin Unix socket replaces a stale socket file and is made 0600 before it listens,
/// so no other user can ever connect to it.
/// </summary>
internal sealed class ListenSockets(ServerAppOptions options)
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>The Unix socket path this app bound (so only its own socket file is deleted at shutdown).</summary>
    public string? BoundUnixSocketPath { get; private set; }

    public Socket CreateBound(EndPoint endPoint) => endPoint switch
    {
        IPEndPoint ip => CreateTcp(ip),
        UnixDomainSocketEndPoint unix => CreateUnix(unix),
        _ => SocketTransportOptions.CreateDefaultBoundListenSocket(endPoint),
    };

    private Socket CreateTcp(IPEndPoint endPoint)
    {
        // The loopback metrics listener is a plain socket of the server's own namespace, never bound to the WireGuard device.
        bool metrics = endPoint.Equals(options.MetricsEndpoint);
        var socket = (metrics ? null : options.CreateListenSocket?.Invoke(endPoint))
            ?? new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (!metrics && options.BindToDevice is { } device)
            {
                BindToDevice(socket, device);
            }

            if (!socket.IsBound)
            {
                // Restarts must not wait for TIME_WAIT; Linux still refuses a second listener on the address.
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                socket.Bind(endPoint);
            }

            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static void BindToDevice(Socket socket, string device)
    {
        if (!OperatingSystem.IsLinux())
        {
            // Other systems rely on the bind address alone.
            return;
        }

        try
        {
            socket.SetRawSocketOption(LibC.SOL_SOCKET, LibC.SO_BINDTODEVICE, Encoding.UTF8.GetBytes(device + "\0"));
        }
        catch (SocketException e)
        {
            throw new InvalidOperationException(
                $"Cannot bind the API listener to interface '{device}' (SO_BINDTODEVICE): {e.Message}. Is the interface up?", e);
        }
    }

    private Socket CreateUnix(UnixDomainSocketEndPoint endPoint)
    {
        string path = endPoint.ToString();
        RemoveStaleSocket(path);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Bind(endPoint);
            BoundUnixSocketPath = path;
            File.SetUnixFileMode(path, OwnerOnly);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Deletes a socket file nobody listens on (left by a crash); refuses to replace a live one.</summary>
    private static void RemoveStaleSocket(string path)
    {
        if (!File.Exists(path))
        {
            return;
        }

        using (var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            try
            {
                probe.Connect(new UnixDomainSocketEndPoint(path));
                throw new InvalidOperationException($"Another innernet-server is already listening on '{path}'.");
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused)
            {
                // Left over from a server that did not shut down cleanly.
            }
            catch (SocketException e)
            {
                throw new InvalidOperationException($"'{path}' exists and is not a usable socket: {e.Message}", e);
            }
        }

        File.Delete(path);
    }
}
