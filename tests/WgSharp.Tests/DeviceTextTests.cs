using System.Net;
using Innernet.Netlink.WireGuard;

namespace WgSharp.Tests;

/// <summary>
/// wg's human form where the host comparisons cannot pin it down: several handshakes at known times (the order and
/// the ages), transfer counters in every unit. Expected texts are written out from wg's format.
/// </summary>
public sealed class DeviceTextTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    private static WireGuardKey Key(byte fill) => new(Enumerable.Repeat(fill, WireGuardKey.Size).ToArray());

    [Fact]
    public void Pretty_NewestHandshakeFirstNeverLast_TiesInDeviceOrder()
    {
        var device = new WireGuardDevice
        {
            Name = "wg9",
            ListenPort = 51820,
            FirewallMark = 0xca6c,
            Peers =
            [
                new WireGuardPeer { PublicKey = Key(1), AllowedIPs = [IPNetwork.Parse("10.0.1.0/24")] },
                new WireGuardPeer
                {
                    PublicKey = Key(2),
                    LastHandshake = Now.AddSeconds(-3725),
                    ReceiveBytes = 1536,
                    TransmitBytes = 10,
                    Endpoint = IPEndPoint.Parse("[2001:db8::2]:7"),
                },
                new WireGuardPeer { PublicKey = Key(3), LastHandshake = Now, ReceiveBytes = 0, TransmitBytes = 5 * 1048576 },
                new WireGuardPeer { PublicKey = Key(4), PersistentKeepaliveInterval = 90 },
            ],
        };

        string text = DeviceText.Pretty(device, new Terminal(color: false), revealKeys: false, Now);

        Assert.Equal(
            $"""
            interface: wg9
              listening port: 51820
              fwmark: 0xca6c

            peer: {Key(3)}
              allowed ips: (none)
              latest handshake: Now
              transfer: 0 B received, 5.00 MiB sent

            peer: {Key(2)}
              endpoint: [2001:db8::2]:7
              allowed ips: (none)
              latest handshake: 1 hour, 2 minutes, 5 seconds ago
              transfer: 1.50 KiB received, 10 B sent

            peer: {Key(1)}
              allowed ips: 10.0.1.0/24

            peer: {Key(4)}
              allowed ips: (none)
              persistent keepalive: every 1 minute, 30 seconds

            """,
            text);
    }

    [Fact]
    public void Dump_PeersInDeviceOrder_NeverIsZero()
    {
        var device = new WireGuardDevice
        {
            Name = "wg9",
            PrivateKey = Key(7),
            PublicKey = Key(8),
            Peers =
            [
                new WireGuardPeer { PublicKey = Key(1), PresharedKey = Key(5), LastHandshake = Now, ReceiveBytes = 3, TransmitBytes = 4 },
                new WireGuardPeer
                {
                    PublicKey = Key(2),
                    AllowedIPs = [IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("fd00::/8")],
                    PersistentKeepaliveInterval = 25,
                },
            ],
        };

        Assert.Equal(
            $"{Key(7)}\t{Key(8)}\t0\toff\n"
            + $"{Key(1)}\t{Key(5)}\t(none)\t(none)\t1800000000\t3\t4\toff\n"
            + $"{Key(2)}\t(none)\t(none)\t10.0.0.0/8,fd00::/8\t0\t0\t0\t25\n",
            DeviceText.Dump(device, withInterface: false));
        Assert.StartsWith($"wg9\t{Key(7)}\t", DeviceText.Dump(device, withInterface: true), StringComparison.Ordinal);
    }
}
