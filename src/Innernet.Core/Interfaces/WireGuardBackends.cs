using Innernet.Core.Keys;
using Innernet.Netlink;
using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Interfaces;

/// <summary>
/// How innernet opens a WireGuard backend: with Core's X25519 key derivation (UAPI does not report public keys) and
/// with advice in terms of innernet's <c>--backend</c> option when the kernel backend was asked for but is missing.
/// </summary>
public static class WireGuardBackends
{
    /// <summary>Opens <paramref name="backend"/> (see <see cref="WireGuardClient.Open"/>).</summary>
    /// <param name="backend">The backend chosen with <c>--backend</c>.</param>
    /// <returns>The client; the caller disposes it.</returns>
    /// <exception cref="InnernetException">The kernel backend was chosen but the kernel has no WireGuard module.</exception>
    /// <exception cref="NetlinkException">A netlink socket could not be opened.</exception>
    public static WireGuardClient Open(WireGuardBackend backend)
    {
        try
        {
            return WireGuardClient.Open(backend, new WireGuardClientOptions { PublicKeyDeriver = WireGuardKeys.GetPublicKey });
        }
        catch (NetlinkException e) when (backend == WireGuardBackend.Kernel && e.Errno == Errno.ENOENT)
        {
            throw new InnernetException($"{e.Message} Use --backend userspace (wireguard-go) or --backend auto.", e);
        }
    }
}
