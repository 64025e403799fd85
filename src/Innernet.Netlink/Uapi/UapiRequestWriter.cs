using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Innernet.Netlink.WireGuard;

namespace Innernet.Netlink.Uapi;

/// <summary>
/// Encodes UAPI requests: <c>key=value\n</c> lines ended by a blank line. Pure; every value is typed,
/// so no caller input can inject a newline.
/// </summary>
internal static class UapiRequestWriter
{
    /// <summary>The complete get request, in ASCII.</summary>
    public static ReadOnlyMemory<byte> GetRequest { get; } = "get=1\n\n"u8.ToArray();

    /// <summary>
    /// Encodes <paramref name="config"/> as one <c>set=1</c> request, in the order wireguard-go
    /// requires: device keys (<c>private_key</c>, <c>listen_port</c>, <c>fwmark</c>,
    /// <c>replace_peers</c>), then per peer <c>public_key</c>, <c>remove</c> (alone: a removed peer
    /// carries nothing else), <c>update_only</c>, <c>replace_allowed_ips</c>, <c>preshared_key</c>,
    /// <c>endpoint</c>, <c>persistent_keepalive_interval</c>, one <c>allowed_ip=-</c> per prefix to remove and one
    /// <c>allowed_ip</c> per prefix to add.
    /// Null settings are left out.
    /// </summary>
    /// <exception cref="ArgumentException">A peer is null or an allowed IP has an unsupported address family.</exception>
    /// <remarks>
    /// The text is built in the builder's own chunks (at most 8,000 characters each) and copied once into the ASCII
    /// bytes that are sent: a set of 10,000 peers is 2.5 MB, and one builder sized for it, its string and the string's
    /// bytes would be three copies (12 MB) in the large object heap.
    /// </remarks>
    public static byte[] EncodeSet(DeviceConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var text = new StringBuilder();
        Line(text, UapiKey.Set, "1");

        if (config.PrivateKey is { } privateKey)
        {
            Line(text, UapiKey.PrivateKey, privateKey.ToHex());
        }

        if (config.ListenPort is { } port)
        {
            Line(text, UapiKey.ListenPort, port.ToString(CultureInfo.InvariantCulture));
        }

        if (config.FirewallMark is { } mark)
        {
            Line(text, UapiKey.FirewallMark, mark.ToString(CultureInfo.InvariantCulture));
        }

        if (config.ReplacePeers)
        {
            Line(text, UapiKey.ReplacePeers, UapiKey.True);
        }

        for (int i = 0; i < config.Peers.Count; i++)
        {
            var peer = config.Peers[i]
                ?? throw new ArgumentException($"DeviceConfig.Peers[{i}] is null.", nameof(config));
            WritePeer(text, peer);
        }

        text.Append('\n');
        byte[] bytes = new byte[text.Length];
        int at = 0;
        foreach (var chunk in text.GetChunks())
        {
            at += Encoding.ASCII.GetBytes(chunk.Span, bytes.AsSpan(at));
        }

        return bytes;
    }

    /// <summary>Formats an endpoint as wireguard-go parses it: <c>1.2.3.4:5</c> or <c>[fd00::1]:5</c>.</summary>
    /// <exception cref="ArgumentException">The address is neither IPv4 nor IPv6.</exception>
    public static string FormatEndpoint(IPEndPoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        string port = endpoint.Port.ToString(CultureInfo.InvariantCulture);
        return endpoint.AddressFamily switch
        {
            AddressFamily.InterNetwork => $"{endpoint.Address}:{port}",
            AddressFamily.InterNetworkV6 => $"[{endpoint.Address}]:{port}",
            _ => throw new ArgumentException($"Endpoint address family {endpoint.AddressFamily} is not IPv4 or IPv6.", nameof(endpoint)),
        };
    }

    private static void WritePeer(StringBuilder text, PeerConfig peer)
    {
        Line(text, UapiKey.PublicKey, peer.PublicKey.ToHex());
        if (peer.Remove)
        {
            Line(text, UapiKey.Remove, UapiKey.True);
            return;
        }

        if (peer.UpdateOnly)
        {
            Line(text, UapiKey.UpdateOnly, UapiKey.True);
        }

        if (peer.ReplaceAllowedIPs)
        {
            Line(text, UapiKey.ReplaceAllowedIPs, UapiKey.True);
        }

        if (peer.PresharedKey is { } psk)
        {
            Line(text, UapiKey.PresharedKey, psk.ToHex());
        }

        if (peer.Endpoint is { } endpoint)
        {
            Line(text, UapiKey.Endpoint, FormatEndpoint(endpoint));
        }

        if (peer.PersistentKeepaliveInterval is { } keepalive)
        {
            Line(text, UapiKey.PersistentKeepaliveInterval, keepalive.ToString(CultureInfo.InvariantCulture));
        }

        foreach (var network in peer.RemoveAllowedIPs)
        {
            Line(text, UapiKey.AllowedIP, "-" + AllowedIP(network));
        }

        foreach (var network in peer.AllowedIPs)
        {
            Line(text, UapiKey.AllowedIP, AllowedIP(network));
        }
    }

    private static string AllowedIP(IPNetwork network) =>
        network.BaseAddress?.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6
            ? network.ToString()
            : throw new ArgumentException($"Allowed IP {network} is not IPv4 or IPv6.", nameof(network));

    private static void Line(StringBuilder text, string key, string value) =>
        text.Append(key).Append('=').Append(value).Append('\n');
}
