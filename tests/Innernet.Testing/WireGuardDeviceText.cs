using System.Globalization;
using System.Text;
using Innernet.Netlink.WireGuard;

namespace Innernet.Testing;

/// <summary>
/// Every field of a <see cref="WireGuardDevice"/> and its peers as one line per object, so that two reads can be
/// compared with one equality assertion (the device types have reference equality). Peers are sorted by public key and
/// allowed IPs by text: wireguard-go reports both in map order, which changes from one read to the next.
/// </summary>
public static class WireGuardDeviceText
{
    public static string Of(WireGuardDevice? device)
    {
        if (device is null)
        {
            return "(none)";
        }

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"{device.Name} backend={device.Backend} index={device.InterfaceIndex} private={device.PrivateKey} public={device.PublicKey} ")
            .Append(CultureInfo.InvariantCulture, $"port={device.ListenPort} fwmark={device.FirewallMark} peers={device.Peers.Count}\n");
        foreach (var peer in device.Peers.OrderBy(p => p.PublicKey.ToBase64(), StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture,
                    $"  {peer.PublicKey} psk={peer.PresharedKey} endpoint={peer.Endpoint} handshake={peer.LastHandshake:O} ")
                .Append(CultureInfo.InvariantCulture,
                    $"rx={peer.ReceiveBytes} tx={peer.TransmitBytes} keepalive={peer.PersistentKeepaliveInterval} ")
                .Append(CultureInfo.InvariantCulture, $"version={peer.ProtocolVersion} allowed={AllowedIPs(peer)}\n");
        }

        return text.ToString();
    }

    private static string AllowedIPs(WireGuardPeer peer) =>
        string.Join(',', peer.AllowedIPs.Select(n => n.ToString()).Order(StringComparer.Ordinal));
}
