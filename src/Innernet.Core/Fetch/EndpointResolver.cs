using System.Net.Sockets;
using Innernet.Core.Model;

namespace Innernet.Core.Fetch;

/// <summary>Turns an endpoint into a socket address as innernet does: an IP literal as is, a DNS name to its first address.</summary>
public static class EndpointResolver
{
    /// <summary>The socket address, or null when the name does not resolve.</summary>
    public static IPEndPoint? Resolve(Endpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (endpoint.TryGetIPEndPoint() is { } literal)
        {
            return literal;
        }

        try
        {
            var addresses = Dns.GetHostAddresses(endpoint.Host);
            return addresses.Length == 0 ? null : new IPEndPoint(addresses[0], endpoint.Port);
        }
        catch (SocketException)
        {
            return null;
        }
    }
}
