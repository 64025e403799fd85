using Innernet.Core.Model;
using Innernet.Netlink.Route;
using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Interfaces;

/// <summary>Everything innernet's <c>wg::up</c> needs.</summary>
/// <param name="Name">The interface name (at most 15 bytes).</param>
/// <param name="PrivateKey">The interface's private key.</param>
/// <param name="Address">The interface's own IP with the ROOT network's prefix, e.g. 10.42.1.2/16.</param>
/// <param name="ListenPort">The UDP port, or null to let WireGuard pick one.</param>
/// <param name="ServerPeer">The server peer a client starts with; null on the server.</param>
/// <param name="Network">MTU and routing choices.</param>
public sealed record InterfaceUpRequest(
    string Name,
    WireGuardKey PrivateKey,
    InterfaceAddress Address,
    ushort? ListenPort,
    InterfaceServerPeer? ServerPeer,
    NetworkOptions Network)
{
    /// <summary>Like <see cref="object.ToString"/> but never prints the private key.</summary>
    public override string ToString()
        => $"InterfaceUpRequest {{ Name = {Name}, Address = {Address}, ListenPort = {ListenPort}, "
            + $"ServerPeer = {ServerPeer}, Network = {Network} }}";
}
