using Innernet.Core.Model;
using Innernet.Netlink.Route;
using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Config;

/// <summary>
/// The <c>[interface]</c> section of a client config or invitation. <see cref="Address"/> is the peer IP with
/// the ROOT CIDR's prefix (e.g. 10.42.1.2/16). <see cref="ToString"/> hides the key.
/// </summary>
public sealed record InterfaceInfo(string NetworkName, InterfaceAddress Address, WireGuardKey PrivateKey, ushort? ListenPort = null)
{
    /// <summary>Everything but the private key.</summary>
    public override string ToString()
        => $"InterfaceInfo {{ NetworkName = {NetworkName}, Address = {Address}, ListenPort = {ListenPort} }}";
}
