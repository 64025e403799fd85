using Innernet.Netlink;
using Innernet.Netlink.WireGuard;
using Org.BouncyCastle.Math.EC.Rfc7748;

namespace WgSharp;

/// <summary>
/// How the tool reaches devices: the library's Auto backend (a live wireguard-go socket wins, else the kernel module),
/// with X25519 for the public key a userspace device does not report (wg derives it the same way).
/// </summary>
internal static class WgClients
{
    private static readonly WireGuardClientOptions Options = new() { PublicKeyDeriver = PublicKeyOf };

    public static WireGuardClient Open() => Open(WireGuardBackend.Auto);

    public static WireGuardClient Open(WireGuardBackend backend) => WireGuardClient.Open(backend, Options);

    /// <summary>Whether the kernel's WireGuard family answers (in the calling thread's network namespace).</summary>
    public static bool KernelAvailable()
    {
        try
        {
            using var kernel = WireGuardClient.Open(WireGuardBackend.Kernel);
            return true;
        }
        catch (NetlinkException)
        {
            return false;
        }
    }

    private static WireGuardKey PublicKeyOf(WireGuardKey privateKey)
    {
        byte[] publicKey = new byte[X25519.PointSize];
        X25519.ScalarMultBase(privateKey.Bytes.ToArray(), 0, publicKey, 0);
        return new WireGuardKey(publicKey);
    }
}
