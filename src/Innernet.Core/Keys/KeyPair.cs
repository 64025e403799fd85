using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Keys;

/// <summary>An X25519 key pair. <see cref="ToString"/> never shows the private key.</summary>
public sealed record KeyPair(WireGuardKey Private, WireGuardKey Public)
{
    /// <summary>A fresh pair from the OS CSPRNG (clamped private key).</summary>
    public static KeyPair Generate() => FromPrivate(WireGuardKeys.GeneratePrivateKey());

    /// <summary>The pair for an existing private key.</summary>
    public static KeyPair FromPrivate(WireGuardKey privateKey) => new(privateKey, WireGuardKeys.GetPublicKey(privateKey));

    /// <summary>Shows only the public key.</summary>
    public override string ToString() => $"KeyPair {{ Public = {Public} }}";
}
