using System.Net;
using System.Net.Sockets;

namespace Innernet.Server.Api;

/// <summary>The form of a TCP source address that identifies a peer (and its connection budget).</summary>
internal static class SourceAddress
{
    /// <summary>IPv4-mapped IPv6 becomes IPv4; an IPv6 scope id is dropped (peer IPs have none).</summary>
    public static IPAddress Normalize(IPAddress remote)
    {
        ArgumentNullException.ThrowIfNull(remote);
        if (remote.IsIPv4MappedToIPv6)
        {
            return remote.MapToIPv4();
        }

        return remote.AddressFamily == AddressFamily.InterNetworkV6 && remote.ScopeId != 0
            ? new IPAddress(remote.GetAddressBytes())
            : remote;
    }
}
