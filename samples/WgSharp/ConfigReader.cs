using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Innernet.Netlink.WireGuard;

namespace WgSharp;

/// <summary>A configuration wg refuses; <see cref="Exception.Message"/> holds wg's own lines for stderr.</summary>
internal sealed class ConfigException : Exception
{
    public ConfigException()
    {
    }

    public ConfigException(string message)
        : base(message)
    {
    }

    public ConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Turns a configuration file (<c>setconf</c>, <c>addconf</c>) or the arguments of <c>set</c> into one
/// <see cref="DeviceConfig"/>, with wg's rules: comments from <c>#</c>, all white space dropped, section and key names
/// case-insensitive; <c>setconf</c> replaces the peers and resets what the file leaves out (private key, port,
/// fwmark); every <c>AllowedIPs</c> or <c>allowed-ips</c> replaces the peer's list.
/// </summary>
internal sealed class ConfigReader
{
    private readonly DeviceConfig _device;
    private readonly List<PeerDraft> _peers = [];
    private readonly TextWriter _warnings;
    private Section _section;

    private ConfigReader(DeviceConfig device, TextWriter warnings)
    {
        _device = device;
        _warnings = warnings;
    }

    private enum Section
    {
        None,
        Interface,
        Peer,
    }

    /// <summary>Reads a configuration file's lines; <paramref name="append"/> is <c>addconf</c> (nothing reset).</summary>
    /// <exception cref="ConfigException">A line or the whole file is invalid.</exception>
    public static DeviceConfig ReadFile(IEnumerable<string> lines, bool append, TextWriter warnings)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var device = append
            ? new DeviceConfig()
            : new DeviceConfig { ReplacePeers = true, PrivateKey = WireGuardKey.Zero, ListenPort = 0, FirewallMark = 0 };
        var reader = new ConfigReader(device, warnings);
        foreach (string line in lines)
        {
            try
            {
                reader.ReadLine(line);
            }
            catch (ConfigException e)
            {
                throw new ConfigException(e.Message + "\nConfiguration parsing error", e);
            }
        }

        try
        {
            return reader.Finish();
        }
        catch (ConfigException e)
        {
            throw new ConfigException(e.Message + "\nInvalid configuration", e);
        }
    }

    /// <summary>Reads the arguments of <c>set &lt;interface&gt;</c> (after the interface name).</summary>
    /// <exception cref="ConfigException">An argument is invalid.</exception>
    public static DeviceConfig ReadArguments(IReadOnlyList<string> args, TextWriter warnings)
    {
        ArgumentNullException.ThrowIfNull(args);
        var reader = new ConfigReader(new DeviceConfig(), warnings);
        PeerDraft? peer = null;
        int i = 0;
        while (i < args.Count)
        {
            string name = args[i];
            bool hasValue = i + 1 < args.Count;
            string value = hasValue ? args[i + 1] : "";
            int used = 2;
            switch (name)
            {
                case "listen-port" when hasValue && peer is null:
                    reader._device.ListenPort = ParsePort(value);
                    break;
                case "fwmark" when hasValue && peer is null:
                    reader._device.FirewallMark = ParseFirewallMark(value);
                    break;
                case "private-key" when hasValue && peer is null:
                    reader._device.PrivateKey = ParseKeyFile(value);
                    break;
                case "peer" when hasValue:
                    peer = reader.AddPeer(replaceAllowedIPs: false);
                    peer.PublicKey = ParseKey(value);
                    break;
                case "remove" when peer is not null:
                    peer.Remove = true;
                    used = 1;
                    break;
                case "endpoint" when hasValue && peer is not null:
                    peer.Endpoint = ParseEndpoint(value);
                    break;
                case "allowed-ips" when hasValue && peer is not null:
                    reader.ParseAllowedIPs(peer, string.Concat(value.Where(c => !IsSpace(c))));
                    break;
                case "persistent-keepalive" when hasValue && peer is not null:
                    peer.PersistentKeepalive = ParseKeepalive(value);
                    break;
                case "preshared-key" when hasValue && peer is not null:
                    peer.PresharedKey = ParseKeyFile(value);
                    break;
                default:
                    throw new ConfigException($"Invalid argument: {name}");
            }

            i += used;
        }

        return reader.Finish();
    }

    /// <summary>The white space wg drops: space, tab, newline, vertical tab, form feed, carriage return.</summary>
    public static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r';

    private void ReadLine(string input)
    {
        int comment = input.IndexOf('#', StringComparison.Ordinal);
        string line = string.Concat((comment >= 0 ? input[..comment] : input).Where(c => !IsSpace(c)));
        if (line.Length == 0)
        {
            return;
        }

        if (line.Equals("[Interface]", StringComparison.OrdinalIgnoreCase))
        {
            _section = Section.Interface;
            return;
        }

        if (line.Equals("[Peer]", StringComparison.OrdinalIgnoreCase))
        {
            _section = Section.Peer;
            AddPeer(replaceAllowedIPs: true);
            return;
        }

        string? value;
        if (_section == Section.Interface)
        {
            if ((value = ValueOf(line, "ListenPort")) is not null)
            {
                _device.ListenPort = ParsePort(value);
            }
            else if ((value = ValueOf(line, "FwMark")) is not null)
            {
                _device.FirewallMark = ParseFirewallMark(value);
            }
            else if ((value = ValueOf(line, "PrivateKey")) is not null)
            {
                _device.PrivateKey = ParseKey(value);
            }
            else
            {
                throw Unrecognized(line);
            }
        }
        else if (_section == Section.Peer)
        {
            var peer = _peers[^1];
            if ((value = ValueOf(line, "Endpoint")) is not null)
            {
                peer.Endpoint = ParseEndpoint(value);
            }
            else if ((value = ValueOf(line, "PublicKey")) is not null)
            {
                peer.PublicKey = ParseKey(value);
            }
            else if ((value = ValueOf(line, "AllowedIPs")) is not null)
            {
                ParseAllowedIPs(peer, value);
            }
            else if ((value = ValueOf(line, "PersistentKeepalive")) is not null)
            {
                peer.PersistentKeepalive = ParseKeepalive(value);
            }
            else if ((value = ValueOf(line, "PresharedKey")) is not null)
            {
                peer.PresharedKey = ParseKey(value);
            }
            else
            {
                throw Unrecognized(line);
            }
        }
        else
        {
            throw Unrecognized(line);
        }
    }

    private DeviceConfig Finish()
    {
        foreach (var draft in _peers)
        {
            var key = draft.PublicKey ?? throw new ConfigException("A peer is missing a public key");
            var peer = new PeerConfig
            {
                PublicKey = key,
                Remove = draft.Remove,
                PresharedKey = draft.PresharedKey,
                Endpoint = draft.Endpoint,
                PersistentKeepaliveInterval = draft.PersistentKeepalive,
                ReplaceAllowedIPs = draft.ReplaceAllowedIPs,
            };
            foreach (var network in draft.AllowedIPs)
            {
                peer.AllowedIPs.Add(network);
            }

            _device.Peers.Add(peer);
        }

        return _device;
    }

    private PeerDraft AddPeer(bool replaceAllowedIPs)
    {
        var peer = new PeerDraft { ReplaceAllowedIPs = replaceAllowedIPs };
        _peers.Add(peer);
        return peer;
    }

    /// <summary><c>Key=value</c> with the key matched case-insensitively; null unless a value follows.</summary>
    private static string? ValueOf(string line, string key)
    {
        string prefix = key + "=";
        return line.Length > prefix.Length && line.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ? line[prefix.Length..] : null;
    }

    private static ConfigException Unrecognized(string line) => new($"Line unrecognized: `{line}'");

    private static ushort ParsePort(string value)
    {
        if (value.Length == 0)
        {
            throw new ConfigException("Unable to parse empty port");
        }

        // wg resolves the port as a service name too; numbers are what this tool takes.
        return ushort.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out ushort port)
            ? port
            : throw new ConfigException($"Servname not supported for ai_socktype: `{value}'");
    }

    private static uint ParseFirewallMark(string value)
    {
        if (value.Equals("off", StringComparison.OrdinalIgnoreCase))
        {
            return 0;
        }

        bool hex = value.Length > 2 && value.StartsWith("0x", StringComparison.Ordinal);
        uint mark = 0;
        bool ok = value.Length > 0 && char.IsAsciiDigit(value[0]) && (hex
            ? uint.TryParse(value.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out mark)
            : uint.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out mark));
        return ok ? mark : throw new ConfigException($"Fwmark is neither 0/off nor 0-0xffffffff: `{value}'");
    }

    private static ushort ParseKeepalive(string value)
    {
        if (value.Equals("off", StringComparison.OrdinalIgnoreCase))
        {
            return 0;
        }

        return value.Length > 0 && char.IsAsciiDigit(value[0])
            && ushort.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out ushort seconds)
            ? seconds
            : throw new ConfigException($"Persistent keepalive interval is neither 0/off nor 1-65535: `{value}'");
    }

    /// <summary>A key as wg takes it: exactly 44 characters of canonical base64 (unused bits zero) ending in <c>=</c>.</summary>
    private static WireGuardKey ParseKey(string value) =>
        value.Length == 44 && value[43] == '=' && WireGuardKey.TryParse(value, out var key) && key.ToBase64() == value
            ? key
            : throw new ConfigException($"Key is not the correct length or format: `{value}'");

    /// <summary>A key file: 44 characters, then only white space; an empty file is the zero key (which removes).</summary>
    private static WireGuardKey ParseKeyFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"fopen: {WgTool.Describe(e)}", e);
        }

        if (text.Length == 0)
        {
            return WireGuardKey.Zero;
        }

        if (text.Length < 44)
        {
            throw new ConfigException("Invalid length key in key file");
        }

        foreach (char c in text.AsSpan(44))
        {
            if (!IsSpace(c))
            {
                throw new ConfigException($"Found trailing character in key file: `{c}'");
            }
        }

        return ParseKey(text[..44]);
    }

    private static IPEndPoint ParseEndpoint(string value)
    {
        if (value.Length == 0)
        {
            throw new ConfigException("Unable to parse empty endpoint");
        }

        string host, port;
        if (value[0] == '[')
        {
            int close = value.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw new ConfigException($"Unable to find matching brace of endpoint: `{value}'");
            }

            if (close + 2 >= value.Length || value[close + 1] != ':')
            {
                throw new ConfigException($"Unable to find port of endpoint: `{value}'");
            }

            (host, port) = (value[1..close], value[(close + 2)..]);
        }
        else
        {
            int colon = value.LastIndexOf(':');
            if (colon < 0 || colon == value.Length - 1)
            {
                throw new ConfigException($"Unable to find port of endpoint: `{value}'");
            }

            (host, port) = (value[..colon], value[(colon + 1)..]);
        }

        if (!ushort.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out ushort number))
        {
            throw new ConfigException($"Servname not supported for ai_socktype: `{value}'");
        }

        return new IPEndPoint(Resolve(host, value), number);
    }

    private static IPAddress Resolve(string host, string endpoint)
    {
        static bool IsIP(IPAddress a) => a.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6;
        if (IPAddress.TryParse(host, out var literal) && IsIP(literal))
        {
            return literal;
        }

        try
        {
            // One attempt: wg retries transient resolver failures (WG_ENDPOINT_RESOLUTION_RETRIES), this tool does not.
            return Dns.GetHostAddresses(host).FirstOrDefault(IsIP)
                ?? throw new ConfigException($"Neither IPv4 nor IPv6 address found: `{endpoint}'");
        }
        catch (SocketException e)
        {
            throw new ConfigException($"Name or service not known: `{endpoint}'", e);
        }
    }

    private void ParseAllowedIPs(PeerDraft peer, string value)
    {
        peer.ReplaceAllowedIPs = true;
        if (value.Length == 0)
        {
            return;
        }

        foreach (string entry in value.Split(','))
        {
            int slash = entry.IndexOf('/', StringComparison.Ordinal);
            string ip = slash < 0 ? entry : entry[..slash];
            var address = ParseAddress(ip);
            int max = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
            int prefix = max;
            if (slash >= 0)
            {
                string mask = entry[(slash + 1)..];
                if (mask.Length == 0 || !char.IsAsciiDigit(mask[0])
                    || !int.TryParse(mask, NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > max)
                {
                    throw new ConfigException($"AllowedIP is not in the correct format: `{entry}'");
                }

                var masked = Mask(address, prefix);
                if (!masked.Equals(address))
                {
                    _warnings.Write($"Warning: AllowedIP has nonzero host part: {ip}/{mask}\n");
                }

                address = masked;
            }

            peer.AllowedIPs.Add(new IPNetwork(address, prefix));
        }
    }

    /// <summary>An address as <c>inet_pton</c> takes it: IPv6 when it holds a colon, else four decimal octets.</summary>
    private static IPAddress ParseAddress(string ip)
    {
        IPAddress? address = null;
        if (ip.Contains(':', StringComparison.Ordinal))
        {
            bool plain = ip.IndexOfAny(['%', '[', ']']) < 0; // inet_pton takes no scope and no brackets
            if (plain && IPAddress.TryParse(ip, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6)
            {
                address = v6;
            }
        }
        else if (IsDottedQuad(ip))
        {
            address = IPAddress.Parse(ip);
        }

        return address ?? throw new ConfigException($"Unable to parse IP address: `{ip}'");
    }

    private static bool IsDottedQuad(string ip)
    {
        string[] octets = ip.Split('.');
        return octets.Length == 4 && octets.All(o => o.Length is > 0 and <= 3 && o.All(char.IsAsciiDigit)
            && (o.Length == 1 || o[0] != '0') && int.Parse(o, CultureInfo.InvariantCulture) <= 255);
    }

    private static IPAddress Mask(IPAddress address, int prefix)
    {
        byte[] bytes = address.GetAddressBytes();
        for (int i = 0; i < bytes.Length; i++)
        {
            int kept = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xff << (8 - kept));
        }

        return new IPAddress(bytes);
    }

    /// <summary>A peer while its section or arguments are read (the public key may come last).</summary>
    private sealed class PeerDraft
    {
        public WireGuardKey? PublicKey { get; set; }

        public bool Remove { get; set; }

        public WireGuardKey? PresharedKey { get; set; }

        public IPEndPoint? Endpoint { get; set; }

        public ushort? PersistentKeepalive { get; set; }

        public bool ReplaceAllowedIPs { get; set; }

        public List<IPNetwork> AllowedIPs { get; } = [];
    }
}
