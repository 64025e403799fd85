using System.Net.Sockets;

namespace Innernet.Testing;

/// <summary>Paths of wireguard-go UAPI sockets (shared by all network namespaces: /run/wireguard).</summary>
public static class WireGuardGoSockets
{
    public const string Directory = "/run/wireguard";

    public static string PathFor(string interfaceName) => Path.Combine(Directory, interfaceName + ".sock");

    /// <summary>True when a process accepts connections on the interface's UAPI socket.</summary>
    public static bool IsListening(string interfaceName)
    {
        string path = PathFor(interfaceName);
        if (!File.Exists(path))
        {
            return false;
        }

        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Removes the socket of one interface the caller owns (never a wildcard).</summary>
    public static void RemoveOwn(string interfaceName)
    {
        try
        {
            File.Delete(PathFor(interfaceName));
        }
        catch (IOException)
        {
            // already gone or busy: nothing more to do for a test
        }
    }
}
