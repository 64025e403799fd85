using Innernet.Testing;

namespace WgSharp.Tests;

/// <summary>
/// The comparison on wireguard-go, started by the lab inside its namespace (its UAPI socket is in /run/wireguard). The
/// cases that do not depend on the backend (every <c>show</c> field, colour and key variants, refused arguments and
/// files) run here only: the kernel layer's emulated VM makes each process start cost seconds.
/// </summary>
[Trait(Layers.Name, Layers.Host)]
public sealed class UserspaceWgCompatibilityTests : WgCompatibilityTests
{
    protected override void RequirePrerequisites() => Prerequisites.RequireWireGuardGo();

    protected override void CreateDevice(string ns, string name) => Lab.StartWireGuardGo(ns, name, logLevel: "error");

    [Theory]
    [InlineData("always", "")]
    [InlineData("never", "never")]
    public void Show_HumanFormOtherVariants_IsWgsBytes(string colorMode, string hideKeys) => Show_HumanForm_IsWgsBytes(colorMode, hideKeys);

    [Fact]
    public void ShowEachField_DeviceConfiguredByWg_IsWgsBytes()
    {
        var setup = ConfigureByWg();

        foreach (string field in DeviceText.Fields)
        {
            AssertSameOutput(["show", setup.Device, field]);
        }

        AssertSameOutput(["show", setup.Device, "no-such-field"], expectSuccess: false);
    }


    [Theory]
    [InlineData("peer", "not-a-key")]
    [InlineData("peer", "{key}", "persistent-keepalive", "65536")]
    [InlineData("peer", "{key}", "allowed-ips", "10.0.0.0/33")]
    [InlineData("peer", "{key}", "allowed-ips", "10.0.0.01/32")]
    [InlineData("peer", "{key}", "endpoint", "[::1]51820")]
    [InlineData("fwmark", "0xfffffffff")]
    [InlineData("listen-port", "")]
    [InlineData("remove")]
    [InlineData("private-key", "/nonexistent/key")]
    public void Set_InvalidArguments_FailLikeWg(params string[] arguments)
    {
        string device = NewDevice();
        string key = TestKeys.RandomKey().ToBase64();
        string[] args = [.. arguments.Select(a => a == "{key}" ? key : a)];

        AssertSameOutput(["set", device, .. args], expectSuccess: false);
    }

    [Fact]
    public void SetConf_InvalidFiles_FailLikeWg()
    {
        string device = NewDevice();
        string key = TestKeys.RandomKey().ToBase64();
        string[] files =
        [
            "ListenPort = 1\n",
            "[Interface]\nListenPort =\n",
            "[Interface]\nPort = 1\n",
            "[Peer]\nAllowedIPs = 10.0.0.0/8\n",
            $"[Peer]\nPublicKey = {key}\nEndpoint = [::1\n",
            $"[Peer]\nPublicKey = {key[..42]}B=\n", // unused low bits set: not canonical base64
        ];

        for (int i = 0; i < files.Length; i++)
        {
            string file = WriteFile($"bad{i}.conf", files[i]);
            AssertSameOutput(["setconf", device, file], expectSuccess: false);
        }
    }
}
