using System.Text;
using Innernet.Netlink;
using Innernet.Netlink.WireGuard;
using Org.BouncyCastle.Math.EC.Rfc7748;
using WgSharp;

// A wg(8)-style tool on Innernet.Netlink: `WgSharp show wg0 dump`, `WgSharp setconf wg0 wg0.conf`, ...
// The backend is the library's Auto: a live wireguard-go socket wins, else the kernel module.
var options = new WireGuardClientOptions { PublicKeyDeriver = PublicKeyOf };
using var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false));
using var stderr = new StreamWriter(Console.OpenStandardError(), new UTF8Encoding(false)) { AutoFlush = true };
var tool = new WgTool(
    () => WireGuardClient.Open(WireGuardBackend.Auto, options),
    KernelAvailable,
    stdout,
    stderr,
    TimeProvider.System,
    Terminal.FromEnvironment(),
    revealKeys: Environment.GetEnvironmentVariable(DeviceText.HideKeysVariable) == "never");
return tool.Run(args);

static bool KernelAvailable()
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

// A userspace device reports only its private key; wg derives the public key with X25519, and so does this tool.
static WireGuardKey PublicKeyOf(WireGuardKey privateKey)
{
    byte[] publicKey = new byte[X25519.PointSize];
    X25519.ScalarMultBase(privateKey.Bytes.ToArray(), 0, publicKey, 0);
    return new WireGuardKey(publicKey);
}
