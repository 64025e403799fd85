using Innernet.Netlink.WireGuard;

namespace Innernet.Testing;

/// <summary>A private key and its X25519 public key. ToString never prints the private key.</summary>
public readonly record struct TestKeyPair(WireGuardKey PrivateKey, WireGuardKey PublicKey)
{
    public override string ToString() => $"TestKeyPair {{ PublicKey = {PublicKey} }}";
}
