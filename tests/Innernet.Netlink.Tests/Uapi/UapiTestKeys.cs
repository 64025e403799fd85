using Innernet.Netlink.WireGuard;

namespace Innernet.Netlink.Tests.Uapi;

/// <summary>Fixed keys in the UAPI (hex) form, written out literally so expected texts never come from the code under test.</summary>
internal static class UapiTestKeys
{
    public const string PrivateHex = "e84b5a6d2717c1003a13b431570353dbaca9146cf150c5f8575680feba52027a";
    public const string PeerAHex = "b85996fecc9c7f1fc6d2572a76eda11d59bcd20be8e543b15ce4bd85a8e75a33";
    public const string PeerBHex = "0b5aa0ddf5ab6d5bcbd7e6d3e6dc2d71a6b4ec0d3b0a0ce9c2c3a1d2e3f40516";
    public const string PeerCHex = "58402e695ba1772b1cc9309755f043251ea77fdcf10fbe63989ceb7e19321376";
    public const string PresharedHex = "188515093e952f5f22e865cef3012e72f8b5f0b598ac0309d5dacce3b70fcf52";
    public const string ZeroHex = "0000000000000000000000000000000000000000000000000000000000000000";

    public static WireGuardKey Private => WireGuardKey.FromHex(PrivateHex);

    public static WireGuardKey PeerA => WireGuardKey.FromHex(PeerAHex);

    public static WireGuardKey PeerB => WireGuardKey.FromHex(PeerBHex);

    public static WireGuardKey PeerC => WireGuardKey.FromHex(PeerCHex);

    public static WireGuardKey Preshared => WireGuardKey.FromHex(PresharedHex);
}
