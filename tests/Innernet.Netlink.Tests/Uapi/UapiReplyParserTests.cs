using System.Buffers;
using System.Net;
using System.Text;
using Innernet.Netlink;
using Innernet.Netlink.Uapi;
using Innernet.Netlink.WireGuard;
using static Innernet.Netlink.Tests.Uapi.UapiTestKeys;

namespace Innernet.Netlink.Tests.Uapi;

public class UapiReplyParserTests
{
    private const int EPROTO = 71;

    /// <summary>
    /// The reply shape of a <c>get=1</c> transcript measured against wireguard-go, in wireguard-go's key
    /// order, followed by a second peer with a handshake, an IPv6 endpoint and a preshared key.
    /// </summary>
    private const string TranscriptReply =
        "private_key=" + PrivateHex + "\n" +
        "listen_port=51999\n" +
        "fwmark=51\n" +
        "public_key=" + PeerAHex + "\n" +
        "preshared_key=" + ZeroHex + "\n" +
        "protocol_version=1\n" +
        "endpoint=127.0.0.1:51820\n" +
        "last_handshake_time_sec=0\n" +
        "last_handshake_time_nsec=0\n" +
        "tx_bytes=0\n" +
        "rx_bytes=0\n" +
        "persistent_keepalive_interval=25\n" +
        "allowed_ip=10.9.0.2/32\n" +
        "allowed_ip=fd00::2/128\n" +
        "public_key=" + PeerBHex + "\n" +
        "preshared_key=" + PresharedHex + "\n" +
        "protocol_version=1\n" +
        "endpoint=[fd00:198:18::2]:51821\n" +
        "last_handshake_time_sec=1700000000\n" +
        "last_handshake_time_nsec=123456789\n" +
        "tx_bytes=18446744073709551615\n" +
        "rx_bytes=1234\n" +
        "persistent_keepalive_interval=0\n" +
        "errno=0\n" +
        "\n";

    private static byte[] Bytes(string text) => Encoding.ASCII.GetBytes(text);

    private static WireGuardDevice Get(string reply, Func<WireGuardKey, WireGuardKey>? deriver = null) =>
        UapiReplyParser.ParseGet("wgtest0", Bytes(reply), "/test/wgtest0.sock", deriver);

    [Fact]
    public void ParseGet_TranscriptShape_ReadsDeviceAndPeers()
    {
        var device = Get(TranscriptReply);

        Assert.Equal("wgtest0", device.Name);
        Assert.Equal(WireGuardBackend.Userspace, device.Backend);
        Assert.Equal(Private, device.PrivateKey);
        Assert.Null(device.PublicKey);
        Assert.Equal(51999, device.ListenPort);
        Assert.Equal(51u, device.FirewallMark);
        Assert.Equal(0, device.InterfaceIndex);
        Assert.Equal(2, device.Peers.Count);

        var a = device.Peers[0];
        Assert.Equal(PeerA, a.PublicKey);
        Assert.Null(a.PresharedKey);
        Assert.Equal(1, a.ProtocolVersion);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 51820), a.Endpoint);
        Assert.Null(a.LastHandshake);
        Assert.Equal(0ul, a.TransmitBytes);
        Assert.Equal(0ul, a.ReceiveBytes);
        Assert.Equal(25, a.PersistentKeepaliveInterval);
        Assert.Equal([IPNetwork.Parse("10.9.0.2/32"), IPNetwork.Parse("fd00::2/128")], a.AllowedIPs);

        var b = device.Peers[1];
        Assert.Equal(PeerB, b.PublicKey);
        Assert.Equal(Preshared, b.PresharedKey);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("fd00:198:18::2"), 51821), b.Endpoint);
        Assert.Equal(new DateTimeOffset(2023, 11, 14, 22, 13, 20, TimeSpan.Zero).AddTicks(1234567), b.LastHandshake);
        Assert.Equal(ulong.MaxValue, b.TransmitBytes);
        Assert.Equal(1234ul, b.ReceiveBytes);
        Assert.Equal(0, b.PersistentKeepaliveInterval);
        Assert.Empty(b.AllowedIPs);
    }

    /// <summary>
    /// A get reply captured byte for byte from wireguard-go v0.0.20220316 (Debian 12) inside a test
    /// namespace, after a set of these test keys. Note its peer order is not the set order.
    /// </summary>
    private const string CapturedWireGuardGoReply =
        "private_key=e84b5a6d2717c1003a13b431570353dbaca9146cf150c5f8575680feba52027a\n" +
        "listen_port=51820\n" +
        "public_key=58402e695ba1772b1cc9309755f043251ea77fdcf10fbe63989ceb7e19321376\n" +
        "preshared_key=0000000000000000000000000000000000000000000000000000000000000000\n" +
        "protocol_version=1\n" +
        "last_handshake_time_sec=0\n" +
        "last_handshake_time_nsec=0\n" +
        "tx_bytes=0\n" +
        "rx_bytes=0\n" +
        "persistent_keepalive_interval=0\n" +
        "allowed_ip=10.9.0.3/32\n" +
        "public_key=b85996fecc9c7f1fc6d2572a76eda11d59bcd20be8e543b15ce4bd85a8e75a33\n" +
        "preshared_key=188515093e952f5f22e865cef3012e72f8b5f0b598ac0309d5dacce3b70fcf52\n" +
        "protocol_version=1\n" +
        "endpoint=[fd00:198::2]:51821\n" +
        "last_handshake_time_sec=0\n" +
        "last_handshake_time_nsec=0\n" +
        "tx_bytes=0\n" +
        "rx_bytes=0\n" +
        "persistent_keepalive_interval=25\n" +
        "allowed_ip=10.9.0.2/32\n" +
        "allowed_ip=fd00::2/128\n" +
        "errno=0\n" +
        "\n";

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(64)]
    public void ParseGet_ReplyInPieces_ReadsWhatTheWholeReplyReads(int pieceLength)
    {
        // A reply arrives in the chunks the socket delivered; lines that straddle two of them read the same.
        var whole = Get(TranscriptReply);
        var pieces = UapiReplyParser.ParseGet("wgtest0", InPieces(Bytes(TranscriptReply), pieceLength), "/test/wgtest0.sock", null);

        Assert.Equal(Describe(whole), Describe(pieces));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void ParseGet_MalformedReplyInPieces_FailsAsTheWholeReplyFails(int pieceLength)
    {
        string reply = "listen_port=1\npublic_key=" + PeerAHex + "\nendpoint=nonsense\nerrno=0\n\n";
        var whole = Assert.Throws<WireGuardUapiException>(() => Get(reply));
        var pieces = Assert.Throws<WireGuardUapiException>(
            () => UapiReplyParser.ParseGet("wgtest0", InPieces(Bytes(reply), pieceLength), "/test/wgtest0.sock", null));

        Assert.Equal(whole.Message, pieces.Message);
        Assert.Equal(whole.Errno, pieces.Errno);
    }

    private static ReadOnlySequence<byte> InPieces(byte[] bytes, int pieceLength)
    {
        var first = new Piece(bytes.AsMemory(0, Math.Min(pieceLength, bytes.Length)), 0);
        var last = first;
        for (int at = pieceLength; at < bytes.Length; at += pieceLength)
        {
            last = last.Append(bytes.AsMemory(at, Math.Min(pieceLength, bytes.Length - at)));
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private static string Describe(WireGuardDevice device) =>
        $"{device.PrivateKey?.ToHex()} {device.ListenPort} {device.FirewallMark} " + string.Join(
            " | ",
            device.Peers.Select(p => $"{p.PublicKey.ToHex()} {p.PresharedKey?.ToHex()} {p.Endpoint} {p.LastHandshake:O} {p.ReceiveBytes} " +
                $"{p.TransmitBytes} {p.PersistentKeepaliveInterval} {p.ProtocolVersion} {string.Join(",", p.AllowedIPs)}"));

    private sealed class Piece : ReadOnlySequenceSegment<byte>
    {
        public Piece(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Piece Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Piece(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }

    [Fact]
    public void ParseGet_CapturedWireGuardGoReply_ReadsEverything()
    {
        var device = Get(CapturedWireGuardGoReply);

        Assert.Equal(Private, device.PrivateKey);
        Assert.Equal(51820, device.ListenPort);
        Assert.Equal(0u, device.FirewallMark);
        Assert.Equal([PeerC, PeerA], device.Peers.Select(p => p.PublicKey));

        var c = device.Peers[0];
        Assert.Null(c.PresharedKey);
        Assert.Null(c.Endpoint);
        Assert.Null(c.LastHandshake);
        Assert.Equal(0, c.PersistentKeepaliveInterval);
        Assert.Equal([IPNetwork.Parse("10.9.0.3/32")], c.AllowedIPs);

        var a = device.Peers[1];
        Assert.Equal(Preshared, a.PresharedKey);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("fd00:198::2"), 51821), a.Endpoint);
        Assert.Equal(25, a.PersistentKeepaliveInterval);
        Assert.Equal(1, a.ProtocolVersion);
        Assert.Equal([IPNetwork.Parse("10.9.0.2/32"), IPNetwork.Parse("fd00::2/128")], a.AllowedIPs);
    }

    [Fact]
    public void ParseGet_WithDeriver_SetsPublicKeyFromPrivateKey()
    {
        WireGuardKey? seen = null;
        var device = Get(TranscriptReply, key =>
        {
            seen = key;
            return PeerC;
        });

        Assert.Equal(Private, seen);
        Assert.Equal(PeerC, device.PublicKey);
    }

    [Fact]
    public void ParseGet_EmptyDevice_HasNoKeysNoPortNoPeers()
    {
        bool called = false;
        var device = Get("errno=0\n\n", key =>
        {
            called = true;
            return key;
        });

        Assert.Null(device.PrivateKey);
        Assert.Null(device.PublicKey);
        Assert.Equal(0, device.ListenPort);
        Assert.Empty(device.Peers);
        Assert.False(called);
    }

    [Fact]
    public void ParseGet_ZeroPrivateKey_IsNone() =>
        Assert.Null(Get("private_key=" + ZeroHex + "\nerrno=0\n\n").PrivateKey);

    [Fact]
    public void ParseGet_UnknownKeys_AreIgnoredInDeviceAndPeerContext()
    {
        var device = Get(
            "future_device_key=whatever you like\n" +
            "listen_port=7\n" +
            "public_key=" + PeerAHex + "\n" +
            "future_peer_key=\n" +
            "allowed_ip=10.0.0.0/8\n" +
            "errno=0\n\n");

        Assert.Equal(7, device.ListenPort);
        Assert.Equal([IPNetwork.Parse("10.0.0.0/8")], Assert.Single(device.Peers).AllowedIPs);
    }

    [Fact]
    public void ParseGet_HandshakeSecondsZero_IsNoHandshake() =>
        Assert.Null(Assert.Single(Get("public_key=" + PeerAHex
            + "\nlast_handshake_time_sec=0\nlast_handshake_time_nsec=5\nerrno=0\n\n").Peers).LastHandshake);

    [Fact]
    public void ParseGet_UppercaseHexKey_IsAccepted() =>
        Assert.Equal(PeerA, Assert.Single(Get("public_key=" + PeerAHex.ToUpperInvariant() + "\nerrno=0\n\n").Peers).PublicKey);

    [Theory]
    [InlineData("errno=-22\n\n", 22)]
    [InlineData("errno=22\n\n", 22)]
    [InlineData("errno=-98\n\n", 98)]
    [InlineData("errno=-71\n\n", 71)]
    [InlineData("listen_port=5\nerrno=-5\n\n", 5)]
    public void ParseGet_NonzeroErrno_ThrowsWithPositiveErrno(string reply, int errno)
    {
        var e = Assert.Throws<WireGuardUapiException>(() => Get(reply));
        Assert.Equal((Errno)errno, e.Errno);
        Assert.Contains("/test/wgtest0.sock", e.Message);
        Assert.Contains("errno=", e.Message);
    }

    [Fact]
    public void ParseSet_ErrnoMinus22_ThrowsEinvalWithDescription()
    {
        var e = Assert.Throws<WireGuardUapiException>(() => UapiReplyParser.ParseSet(Bytes("errno=-22\n\n"), "/test/x.sock"));
        Assert.Equal(Errno.EINVAL, e.Errno);
        Assert.Contains("set", e.Message);
        Assert.Contains("Invalid argument", e.Message);
    }

    [Fact]
    public void ParseSet_ErrnoZero_Succeeds() => UapiReplyParser.ParseSet(Bytes("errno=0\n\n"), "/test/x.sock");

    [Theory]
    [InlineData("", "truncated")]
    [InlineData("\n", "no final errno")]
    [InlineData("errno=0\n", "truncated")]
    [InlineData("errno=0", "truncated")]
    [InlineData("listen_port=5\n\n", "no final errno")]
    [InlineData("listen_port=5\nerrno=0\nlisten_port=6\n\n", "no final errno")]
    [InlineData("errno=0\nerrno=0\n\n", "before the end")]
    [InlineData("listen_port=5\n\nerrno=0\n\n", "blank")]
    [InlineData("hello\nerrno=0\n\n", "not key=value")]
    [InlineData("=5\nerrno=0\n\n", "not key=value")]
    [InlineData("listen_port=5\r\nerrno=0\n\n", "non-printable")]
    [InlineData("listen_port=5\0\nerrno=0\n\n", "non-printable")]
    [InlineData("errno=\n\n", "not an integer")]
    [InlineData("errno=abc\n\n", "not an integer")]
    [InlineData("errno=--1\n\n", "not an integer")]
    [InlineData("errno=+1\n\n", "not an integer")]
    [InlineData("errno=99999999999\n\n", "not an integer")]
    [InlineData("errno=-2147483648\n\n", "not an integer")]
    [InlineData("listen_port=65536\nerrno=0\n\n", "larger than")]
    [InlineData("listen_port=-1\nerrno=0\n\n", "not an unsigned")]
    [InlineData("listen_port= 1\nerrno=0\n\n", "not an unsigned")]
    [InlineData("listen_port=0x10\nerrno=0\n\n", "not an unsigned")]
    [InlineData("listen_port=\nerrno=0\n\n", "not an unsigned")]
    [InlineData("fwmark=4294967296\nerrno=0\n\n", "larger than")]
    [InlineData("private_key=abc\nerrno=0\n\n", "64 hex")]
    [InlineData("allowed_ip=10.0.0.0/8\nerrno=0\n\n", "before any public_key")]
    [InlineData("persistent_keepalive_interval=5\nerrno=0\n\n", "before any public_key")]
    [InlineData("public_key=" + PeerAHex + "\nlisten_port=5\nerrno=0\n\n", "device key after")]
    [InlineData("public_key=" + PeerAHex + "\nprivate_key=" + PrivateHex + "\nerrno=0\n\n", "device key after")]
    [InlineData("public_key=" + PeerAHex + "\npublic_key=" + PeerAHex + "\nerrno=0\n\n", "repeats")]
    [InlineData("public_key=" + PeerAHex + "zz\nerrno=0\n\n", "64 hex")]
    [InlineData("public_key=" + PeerAHex + "\nendpoint=fd00::1:51820\nerrno=0\n\n", "IPv4")]
    [InlineData("public_key=" + PeerAHex + "\nendpoint=[fd00::1]51820\nerrno=0\n\n", "[IPv6]:port")]
    [InlineData("public_key=" + PeerAHex + "\nendpoint=1.2.3.4\nerrno=0\n\n", "IPv4:port")]
    [InlineData("public_key=" + PeerAHex + "\nendpoint=1.2.3.4:70000\nerrno=0\n\n", "larger than")]
    [InlineData("public_key=" + PeerAHex + "\nendpoint=[1.2.3.4]:5\nerrno=0\n\n", "IPv6")]
    [InlineData("public_key=" + PeerAHex + "\nendpoint=host.example:5\nerrno=0\n\n", "IPv4")]
    [InlineData("public_key=" + PeerAHex + "\nallowed_ip=10.0.0.1/24\nerrno=0\n\n", "masked")]
    [InlineData("public_key=" + PeerAHex + "\nallowed_ip=10.0.0.0/33\nerrno=0\n\n", "larger than")]
    [InlineData("public_key=" + PeerAHex + "\nallowed_ip=10.0.0.0\nerrno=0\n\n", "IP prefix")]
    [InlineData("public_key=" + PeerAHex + "\nallowed_ip=/8\nerrno=0\n\n", "IP prefix")]
    [InlineData("public_key=" + PeerAHex + "\nlast_handshake_time_nsec=1000000000\nerrno=0\n\n", "larger than")]
    [InlineData("public_key=" + PeerAHex + "\nlast_handshake_time_sec=18446744073709551615\nerrno=0\n\n", "year 9999")]
    [InlineData("public_key=" + PeerAHex + "\ntx_bytes=18446744073709551616\nerrno=0\n\n", "not an unsigned")]
    public void ParseGet_MalformedReply_ThrowsEproto(string reply, string problem)
    {
        var e = Assert.Throws<WireGuardUapiException>(() => Get(reply));
        Assert.Equal(Errno.EPROTO, e.Errno);
        Assert.Contains(problem, e.Message);
        Assert.Contains("/test/wgtest0.sock", e.Message);
    }

    [Fact]
    public void ParseGet_NonAsciiByte_ThrowsEproto()
    {
        byte[] reply = [.. Bytes("listen_port=5"), 0xC3, 0xA9, .. Bytes("\nerrno=0\n\n")];
        var e = Assert.Throws<WireGuardUapiException>(() => UapiReplyParser.ParseGet("wgtest0", reply, "s", null));
        Assert.Equal(Errno.EPROTO, e.Errno);
    }

    [Fact]
    public void ParseGet_BadPrivateKey_MessageDoesNotEchoTheKey()
    {
        string almost = PrivateHex[..63] + "g";
        var e = Assert.Throws<WireGuardUapiException>(() => Get("private_key=" + almost + "\nerrno=0\n\n"));
        Assert.DoesNotContain(almost, e.Message);
        Assert.DoesNotContain(PrivateHex[..20], e.Message);
        Assert.Contains("private_key", e.Message);
    }

    [Fact]
    public void ParseGet_ManyPeers_KeepsOrderAndAllowedIPs()
    {
        var text = new StringBuilder();
        var keys = new List<string>();
        for (int i = 0; i < 1000; i++)
        {
            string hex = $"{i:x8}" + new string('a', 56);
            keys.Add(hex);
            text.Append("public_key=").Append(hex).Append('\n')
                .Append("allowed_ip=10.").Append(i / 256).Append('.').Append(i % 256).Append(".1/32\n");
        }

        text.Append("errno=0\n\n");
        var device = Get(text.ToString());
        Assert.Equal(1000, device.Peers.Count);
        Assert.Equal(keys, device.Peers.Select(p => p.PublicKey.ToHex()));
        Assert.Equal(IPNetwork.Parse("10.3.231.1/32"), device.Peers[999].AllowedIPs.Single());
    }

    [Fact]
    public void TryParseErrno_AcceptsSignedDecimalOnly()
    {
        Assert.True(UapiReplyParser.TryParseErrno("-22", out int errno));
        Assert.Equal(-22, errno);
        Assert.True(UapiReplyParser.TryParseErrno("0", out errno));
        Assert.Equal(0, errno);
        Assert.True(UapiReplyParser.TryParseErrno("2147483647", out errno));
        Assert.Equal(int.MaxValue, errno);
        Assert.False(UapiReplyParser.TryParseErrno("-", out _));
        Assert.False(UapiReplyParser.TryParseErrno("1.0", out _));
    }
}
