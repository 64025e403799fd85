using System.Globalization;
using System.Text;
using Innernet.Netlink.WireGuard;

namespace WgSharp;

/// <summary>
/// What <c>wg show</c> and <c>wg showconf</c> print for one device, line for line. Every line ends with <c>\n</c>.
/// </summary>
internal static class DeviceText
{
    public const string HideKeysVariable = "WG_HIDE_KEYS";

    private const string None = "(none)";
    private const string Off = "off";

    /// <summary>The parameters of <c>show &lt;interface&gt; PARAM</c>.</summary>
    public static readonly IReadOnlyList<string> Fields =
    [
        "public-key", "private-key", "listen-port", "fwmark", "peers", "preshared-keys", "endpoints", "allowed-ips",
        "latest-handshakes", "transfer", "persistent-keepalive", "dump",
    ];

    /// <summary>
    /// The human form (<c>wg show &lt;interface&gt;</c>): peers with the newest handshake first, those that never
    /// had one last, ties in device order; keys hidden unless <paramref name="revealKeys"/>; handshake ages against
    /// <paramref name="now"/>.
    /// </summary>
    public static string Pretty(WireGuardDevice device, Terminal t, bool revealKeys, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(t);
        var text = new StringBuilder();
        text.Append(t.Reset);
        text.Append(t.Green).Append(t.Bold).Append("interface").Append(t.Reset).Append(": ")
            .Append(t.Green).Append(device.Name).Append(t.Reset).Append('\n');
        if (device.PublicKey is { } publicKey)
        {
            Item(text, t, "public key", publicKey.ToBase64());
        }

        if (device.PrivateKey is { } privateKey)
        {
            Item(text, t, "private key", Masked(privateKey, revealKeys));
        }

        if (device.ListenPort != 0)
        {
            Item(text, t, "listening port", device.ListenPort.ToString(CultureInfo.InvariantCulture));
        }

        if (device.FirewallMark != 0)
        {
            Item(text, t, "fwmark", Hex(device.FirewallMark));
        }

        var peers = device.Peers.OrderBy(p => p.LastHandshake is null).ThenByDescending(p => p.LastHandshake).ToList();
        if (peers.Count > 0)
        {
            text.Append('\n');
        }

        long nowSeconds = now.ToUnixTimeSeconds();
        for (int i = 0; i < peers.Count; i++)
        {
            var peer = peers[i];
            text.Append(t.Yellow).Append(t.Bold).Append("peer").Append(t.Reset).Append(": ")
                .Append(t.Yellow).Append(peer.PublicKey.ToBase64()).Append(t.Reset).Append('\n');
            if (peer.PresharedKey is { } psk)
            {
                Item(text, t, "preshared key", Masked(psk, revealKeys));
            }

            if (peer.Endpoint is { } endpoint)
            {
                Item(text, t, "endpoint", WgText.Endpoint(endpoint));
            }

            string slash = t.Cyan + "/" + t.Reset;
            string allowed = string.Join(", ", peer.AllowedIPs.Select(a => WgText.AllowedIP(a, slash)));
            Item(text, t, "allowed ips", peer.AllowedIPs.Count == 0 ? None : allowed);
            if (peer.LastHandshake is { } handshake && handshake.ToUnixTimeSeconds() != 0)
            {
                Item(text, t, "latest handshake", WgText.Ago(handshake.ToUnixTimeSeconds(), nowSeconds, t));
            }

            if (peer.ReceiveBytes != 0 || peer.TransmitBytes != 0)
            {
                string received = WgText.Bytes(peer.ReceiveBytes, t), sent = WgText.Bytes(peer.TransmitBytes, t);
                Item(text, t, "transfer", received + " received, " + sent + " sent");
            }

            if (peer.PersistentKeepaliveInterval != 0)
            {
                Item(text, t, "persistent keepalive", "every " + WgText.Duration(peer.PersistentKeepaliveInterval, t));
            }

            if (i < peers.Count - 1)
            {
                text.Append('\n');
            }
        }

        return text.ToString();
    }

    /// <summary>
    /// <c>wg show &lt;interface&gt; dump</c>: one tab-separated line for the device (private key, public key, port,
    /// fwmark), then one per peer in device order (public key, preshared key, endpoint, allowed IPs, latest handshake
    /// in Unix seconds, bytes received, bytes sent, keepalive). With <paramref name="withInterface"/> (for
    /// <c>show all</c>) every line starts with the device's name.
    /// </summary>
    public static string Dump(WireGuardDevice device, bool withInterface)
    {
        ArgumentNullException.ThrowIfNull(device);
        var text = new StringBuilder();
        string prefix = withInterface ? device.Name + "\t" : "";
        text.Append(prefix).Append(MaybeKey(device.PrivateKey)).Append('\t').Append(MaybeKey(device.PublicKey)).Append('\t')
            .Append(device.ListenPort.ToString(CultureInfo.InvariantCulture)).Append('\t').Append(Mark(device.FirewallMark)).Append('\n');
        foreach (var peer in device.Peers)
        {
            text.Append(prefix).Append(peer.PublicKey.ToBase64()).Append('\t')
                .Append(MaybeKey(peer.PresharedKey)).Append('\t')
                .Append(peer.Endpoint is { } endpoint ? WgText.Endpoint(endpoint) : None).Append('\t')
                .Append(AllowedIPs(peer, ",")).Append('\t')
                .Append(HandshakeSeconds(peer).ToString(CultureInfo.InvariantCulture)).Append('\t')
                .Append(peer.ReceiveBytes.ToString(CultureInfo.InvariantCulture)).Append('\t')
                .Append(peer.TransmitBytes.ToString(CultureInfo.InvariantCulture)).Append('\t')
                .Append(Keepalive(peer)).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>One field of <c>wg show &lt;interface&gt; PARAM</c>, or null when PARAM is not one of <see cref="Fields"/>.</summary>
    public static string? Field(WireGuardDevice device, string field, bool withInterface)
    {
        ArgumentNullException.ThrowIfNull(device);
        string prefix = withInterface ? device.Name + "\t" : "";
        string PerPeer(Func<WireGuardPeer, string> line) =>
            string.Concat(device.Peers.Select(p => prefix + p.PublicKey.ToBase64() + line(p) + "\n"));

        return field switch
        {
            "public-key" => prefix + MaybeKey(device.PublicKey) + "\n",
            "private-key" => prefix + MaybeKey(device.PrivateKey) + "\n",
            "listen-port" => prefix + device.ListenPort.ToString(CultureInfo.InvariantCulture) + "\n",
            "fwmark" => prefix + Mark(device.FirewallMark) + "\n",
            "peers" => PerPeer(_ => ""),
            "preshared-keys" => PerPeer(p => "\t" + MaybeKey(p.PresharedKey)),
            "endpoints" => PerPeer(p => "\t" + (p.Endpoint is { } e ? WgText.Endpoint(e) : None)),
            "allowed-ips" => PerPeer(p => "\t" + AllowedIPs(p, " ")),
            "latest-handshakes" => PerPeer(p => "\t" + HandshakeSeconds(p).ToString(CultureInfo.InvariantCulture)),
            "transfer" => PerPeer(p => string.Create(CultureInfo.InvariantCulture, $"\t{p.ReceiveBytes}\t{p.TransmitBytes}")),
            "persistent-keepalive" => PerPeer(p => "\t" + Keepalive(p)),
            "dump" => Dump(device, withInterface),
            _ => null,
        };
    }

    /// <summary><c>wg showconf &lt;interface&gt;</c>: the configuration in the form <c>wg setconf</c> reads.</summary>
    public static string ShowConf(WireGuardDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        var text = new StringBuilder("[Interface]\n");
        if (device.ListenPort != 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"ListenPort = {device.ListenPort}\n");
        }

        if (device.FirewallMark != 0)
        {
            text.Append("FwMark = ").Append(Hex(device.FirewallMark)).Append('\n');
        }

        if (device.PrivateKey is { } privateKey)
        {
            text.Append("PrivateKey = ").Append(privateKey.ToBase64()).Append('\n');
        }

        text.Append('\n');
        for (int i = 0; i < device.Peers.Count; i++)
        {
            var peer = device.Peers[i];
            text.Append("[Peer]\nPublicKey = ").Append(peer.PublicKey.ToBase64()).Append('\n');
            if (peer.PresharedKey is { } psk)
            {
                text.Append("PresharedKey = ").Append(psk.ToBase64()).Append('\n');
            }

            if (peer.AllowedIPs.Count > 0)
            {
                text.Append("AllowedIPs = ").Append(string.Join(", ", peer.AllowedIPs.Select(a => WgText.AllowedIP(a)))).Append('\n');
            }

            if (peer.Endpoint is { } endpoint)
            {
                text.Append("Endpoint = ").Append(WgText.Endpoint(endpoint)).Append('\n');
            }

            if (peer.PersistentKeepaliveInterval != 0)
            {
                text.Append(CultureInfo.InvariantCulture, $"PersistentKeepalive = {peer.PersistentKeepaliveInterval}\n");
            }

            if (i < device.Peers.Count - 1)
            {
                text.Append('\n');
            }
        }

        return text.ToString();
    }

    private static void Item(StringBuilder text, Terminal t, string name, string value) =>
        text.Append("  ").Append(t.Bold).Append(name).Append(t.Reset).Append(": ").Append(value).Append('\n');

    private static string Masked(WireGuardKey key, bool reveal) => reveal ? key.ToBase64() : "(hidden)";

    private static string MaybeKey(WireGuardKey? key) => key is { } k ? k.ToBase64() : None;

    private static string Hex(uint value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);

    private static string Mark(uint mark) => mark != 0 ? Hex(mark) : Off;

    private static string Keepalive(WireGuardPeer peer) =>
        peer.PersistentKeepaliveInterval != 0 ? peer.PersistentKeepaliveInterval.ToString(CultureInfo.InvariantCulture) : Off;

    private static long HandshakeSeconds(WireGuardPeer peer) => peer.LastHandshake?.ToUnixTimeSeconds() ?? 0;

    private static string AllowedIPs(WireGuardPeer peer, string separator) =>
        peer.AllowedIPs.Count == 0 ? None : string.Join(separator, peer.AllowedIPs.Select(a => WgText.AllowedIP(a)));
}
