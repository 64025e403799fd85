using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Tests;

internal static class TestKeys
{
    /// <summary>The WireGuard/innernet test vector private key.</summary>
    public const string VectorPrivate = "SGb+ojrRNDuMePufwtIYhXzA//k6wF3R21tEBgKlzlM=";

    /// <summary>Its public key.</summary>
    public const string VectorPublic = "DD5yKRfzExcV5+kDnTroDgCU15latdMjiQ59j1hEuk8=";

    /// <summary>A distinct, deterministic key per number (not a real curve point; fine for identity tests).</summary>
    public static WireGuardKey Numbered(int n)
    {
        var bytes = new byte[WireGuardKey.Size];
        BitConverter.TryWriteBytes(bytes, n);
        bytes[31] = 0x42;
        return new WireGuardKey(bytes);
    }
}
