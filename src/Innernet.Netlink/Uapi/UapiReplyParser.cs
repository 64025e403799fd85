using System.Buffers;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Innernet.Netlink.WireGuard;

namespace Innernet.Netlink.Uapi;

/// <summary>
/// Decodes UAPI replies: printable-ASCII <c>key=value\n</c> lines, the last one <c>errno=N</c>, then a
/// blank line. Pure and strict: anything malformed throws <see cref="WireGuardUapiException"/> with
/// EPROTO (never an index or format exception), a nonzero errno throws with that errno. Messages name
/// keys and line numbers but never echo key material.
/// </summary>
internal static class UapiReplyParser
{
    private const long NanosecondsPerSecond = 1_000_000_000;
    private const long NanosecondsPerTick = 100;

    // Room for any value a valid get reply holds (the longest: a key in 64 hex digits, a bracketed IPv6 endpoint).
    private const int ValueScratch = 128;

    private static readonly string[] GetReplyKeys =
    [
        UapiKey.PublicKey, UapiKey.AllowedIP, UapiKey.PresharedKey, UapiKey.ProtocolVersion, UapiKey.Endpoint,
        UapiKey.LastHandshakeTimeSec, UapiKey.LastHandshakeTimeNsec, UapiKey.TransmitBytes, UapiKey.ReceiveBytes,
        UapiKey.PersistentKeepaliveInterval, UapiKey.PrivateKey, UapiKey.ListenPort, UapiKey.FirewallMark,
    ];

    /// <summary>
    /// Checks the framing and the final <c>errno=</c> line of a complete reply (including its blank
    /// line) and returns the lines before it, without decoding them: each is non-empty printable ASCII
    /// <c>key=value</c> ending with <c>'\n'</c>.
    /// </summary>
    /// <param name="reply">The reply bytes, up to and including the terminating blank line, in the pieces received.</param>
    /// <param name="source">Where the reply came from, for messages (e.g. the socket path).</param>
    /// <param name="operation">The request, for messages ("get" or "set").</param>
    /// <exception cref="WireGuardUapiException">Malformed (EPROTO) or errno ≠ 0 (that errno).</exception>
    public static ReadOnlySequence<byte> CheckReply(ReadOnlySequence<byte> reply, string source, string operation)
    {
        Span<byte> tail = stackalloc byte[2];
        int tailLength = (int)Math.Min(reply.Length, tail.Length);
        reply.Slice(reply.Length - tailLength).CopyTo(tail);
        tail = tail[..tailLength];
        if (tail.Length == 0 || tail[^1] != (byte)'\n' || (tail.Length > 1 && tail[^2] != (byte)'\n'))
        {
            throw Malformed(source, "the reply does not end with a blank line (truncated)");
        }

        // Drop the blank line; what is left is zero or more lines, each ending with '\n'.
        var body = reply.Slice(0, reply.Length - 1);
        var lines = new SequenceReader<byte>(body);
        int lineNumber = 0;
        var lastStart = body.Start;
        int firstErrnoLine = 0;
        string? rawErrno = null;
        while (!lines.End)
        {
            lineNumber++;
            var start = lines.Position;
            lines.TryReadTo(out ReadOnlySpan<byte> line, (byte)'\n');
            if (line.IsEmpty)
            {
                throw Malformed(source, $"line {lineNumber} is blank before the end of the reply");
            }

            int bad = line.IndexOfAnyExceptInRange((byte)' ', (byte)'~');
            if (bad >= 0)
            {
                throw Malformed(source, $"line {lineNumber} contains the non-printable byte 0x{line[bad]:x2}");
            }

            int equals = line.IndexOf((byte)'=');
            if (equals <= 0)
            {
                throw Malformed(source, $"line {lineNumber} is not key=value");
            }

            rawErrno = null;
            if (Ascii.Equals(line[..equals], UapiKey.Errno))
            {
                rawErrno = Encoding.ASCII.GetString(line[(equals + 1)..]);
                firstErrnoLine = firstErrnoLine == 0 ? lineNumber : firstErrnoLine;
            }

            lastStart = start;
        }

        if (rawErrno is null)
        {
            throw Malformed(source, "the reply has no final errno= line");
        }

        if (!TryParseErrno(rawErrno, out int errno))
        {
            throw Malformed(source, $"errno value '{rawErrno}' is not an integer");
        }

        if (errno != 0)
        {
            var reported = (Errno)errno;
            throw new WireGuardUapiException(
                reported,
                $"The WireGuard userspace implementation at {source} rejected the {operation} request: " +
                $"errno={rawErrno} ({NetlinkException.Describe((Errno)Math.Abs(errno))}).");
        }

        if (firstErrnoLine < lineNumber)
        {
            throw Malformed(source, $"line {firstErrnoLine} is an errno= line before the end of the reply");
        }

        return body.Slice(0, lastStart);
    }

    /// <summary>Checks a set reply: <c>errno=0</c> and nothing unusable; other keys are ignored.</summary>
    /// <exception cref="WireGuardUapiException">Malformed (EPROTO) or errno ≠ 0 (that errno).</exception>
    public static void ParseSet(ReadOnlySequence<byte> reply, string source) => CheckReply(reply, source, UapiKey.Set);

    /// <inheritdoc cref="ParseSet(ReadOnlySequence{byte}, string)"/>
    public static void ParseSet(ReadOnlySpan<byte> reply, string source) => ParseSet(new ReadOnlySequence<byte>(reply.ToArray()), source);

    /// <inheritdoc cref="ParseGet(string, ReadOnlySequence{byte}, string, Func{WireGuardKey, WireGuardKey}?)"/>
    public static WireGuardDevice ParseGet(
        string name, ReadOnlySpan<byte> reply, string source, Func<WireGuardKey, WireGuardKey>? publicKeyDeriver)
        => ParseGet(name, new ReadOnlySequence<byte>(reply.ToArray()), source, publicKeyDeriver);

    /// <summary>
    /// Decodes a get reply into a device. Unknown keys are ignored. <c>private_key</c> is reported as
    /// is; the public key is derived only when <paramref name="publicKeyDeriver"/> is given (UAPI does
    /// not send it). The lines are read in place: at thousands of peers a reply is megabytes, and a
    /// string per key and value would be many times that.
    /// </summary>
    /// <exception cref="WireGuardUapiException">Malformed (EPROTO) or errno ≠ 0 (that errno).</exception>
    public static WireGuardDevice ParseGet(
        string name, ReadOnlySequence<byte> reply, string source, Func<WireGuardKey, WireGuardKey>? publicKeyDeriver)
    {
        var lines = new SequenceReader<byte>(CheckReply(reply, source, UapiKey.Get));

        WireGuardKey? privateKey = null;
        ushort listenPort = 0;
        uint firewallMark = 0;
        var peers = new List<WireGuardPeer>();
        var seen = new HashSet<WireGuardKey>();
        PeerBuilder? peer = null;
        Span<char> scratch = stackalloc char[ValueScratch];
        int lineNumber = 0;

        while (lines.TryReadTo(out ReadOnlySpan<byte> line, (byte)'\n'))
        {
            lineNumber++;
            int equals = line.IndexOf((byte)'=');
            if (KnownKey(line[..equals]) is not { } key)
            {
                // Unknown keys (newer implementations) are tolerated, as wg(8) and innernet do.
                continue;
            }

            var value = Chars(line[(equals + 1)..], scratch);
            var at = new LineContext(source, lineNumber, key);
            switch (key)
            {
                case UapiKey.PrivateKey:
                    if (peer is not null)
                    {
                        throw at.Error("is a device key after the first public_key");
                    }

                    privateKey = ParseOptionalKey(value, at);
                    break;
                case UapiKey.ListenPort:
                    if (peer is not null)
                    {
                        throw at.Error("is a device key after the first public_key");
                    }

                    listenPort = (ushort)ParseUnsigned(value, ushort.MaxValue, at);
                    break;
                case UapiKey.FirewallMark:
                    if (peer is not null)
                    {
                        throw at.Error("is a device key after the first public_key");
                    }

                    firewallMark = (uint)ParseUnsigned(value, uint.MaxValue, at);
                    break;
                case UapiKey.PublicKey:
                    if (peer is not null)
                    {
                        peers.Add(peer.Build(at));
                    }

                    var publicKey = ParseKey(value, at);
                    if (!seen.Add(publicKey))
                    {
                        throw at.Error("repeats a peer already reported");
                    }

                    peer = new PeerBuilder(publicKey);
                    break;
                case UapiKey.PresharedKey:
                    var psk = ParseOptionalKey(value, at);
                    RequirePeer(peer, at).PresharedKey = psk;
                    break;
                case UapiKey.ProtocolVersion:
                    RequirePeer(peer, at).ProtocolVersion = (int)ParseUnsigned(value, int.MaxValue, at);
                    break;
                case UapiKey.Endpoint:
                    RequirePeer(peer, at).Endpoint = ParseEndpoint(value, at);
                    break;
                case UapiKey.LastHandshakeTimeSec:
                    RequirePeer(peer, at).HandshakeSeconds = ParseUnsigned(value, ulong.MaxValue, at);
                    break;
                case UapiKey.LastHandshakeTimeNsec:
                    RequirePeer(peer, at).HandshakeNanoseconds = ParseUnsigned(value, NanosecondsPerSecond - 1, at);
                    break;
                case UapiKey.TransmitBytes:
                    RequirePeer(peer, at).TransmitBytes = ParseUnsigned(value, ulong.MaxValue, at);
                    break;
                case UapiKey.ReceiveBytes:
                    RequirePeer(peer, at).ReceiveBytes = ParseUnsigned(value, ulong.MaxValue, at);
                    break;
                case UapiKey.PersistentKeepaliveInterval:
                    RequirePeer(peer, at).Keepalive = (ushort)ParseUnsigned(value, ushort.MaxValue, at);
                    break;
                case UapiKey.AllowedIP:
                    RequirePeer(peer, at).AllowedIPs.Add(ParseNetwork(value, at));
                    break;
            }
        }

        if (peer is not null)
        {
            peers.Add(peer.Build(new LineContext(source, lineNumber, UapiKey.PublicKey)));
        }

        WireGuardKey? publicKeyOfDevice = privateKey is { } secret && publicKeyDeriver is not null
            ? publicKeyDeriver(secret)
            : null;

        return new WireGuardDevice
        {
            Name = name,
            PrivateKey = privateKey,
            PublicKey = publicKeyOfDevice,
            ListenPort = listenPort,
            FirewallMark = firewallMark,
            Peers = peers,
            Backend = WireGuardBackend.Userspace,
        };
    }

    /// <summary>The constant naming a key a get reply may carry, or null for any other key.</summary>
    private static string? KnownKey(ReadOnlySpan<byte> key)
    {
        foreach (string known in GetReplyKeys)
        {
            if (Ascii.Equals(key, known))
            {
                return known;
            }
        }

        return null;
    }

    /// <summary>
    /// A value as characters: in <paramref name="scratch"/> when it fits (every value a valid reply holds does), else in a
    /// new string, so an error message can still quote it whole.
    /// </summary>
    private static ReadOnlySpan<char> Chars(ReadOnlySpan<byte> value, Span<char> scratch)
        => value.Length <= scratch.Length
            ? scratch[..Encoding.ASCII.GetChars(value, scratch)]
            : Encoding.ASCII.GetString(value);

    /// <summary>Parses a signed decimal errno whose magnitude fits a positive int.</summary>
    internal static bool TryParseErrno(string value, out int errno)
    {
        errno = 0;
        var digits = value.AsSpan();
        bool negative = digits.StartsWith('-');
        if (negative)
        {
            digits = digits[1..];
        }

        if (!IsDecimal(digits) || !long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long magnitude)
            || magnitude > int.MaxValue)
        {
            return false;
        }

        errno = negative ? -(int)magnitude : (int)magnitude;
        return true;
    }

    private static PeerBuilder RequirePeer(PeerBuilder? peer, LineContext at) =>
        peer ?? throw at.Error("is a peer key before any public_key");

    private static WireGuardKey ParseKey(ReadOnlySpan<char> value, LineContext at) =>
        WireGuardKey.TryFromHex(value, out var key) ? key : throw at.Error("is not 64 hex digits");

    /// <summary>A key that all zeros mean unset (the private and preshared keys); the zeros are never stored.</summary>
    private static WireGuardKey? ParseOptionalKey(ReadOnlySpan<char> value, LineContext at)
    {
        if (value.Length == WireGuardKey.Size * 2 && !value.ContainsAnyExcept('0'))
        {
            return null;
        }

        var key = ParseKey(value, at);
        return key.IsZero ? null : key;
    }

    private static ulong ParseUnsigned(ReadOnlySpan<char> value, ulong max, LineContext at)
    {
        if (!IsDecimal(value) || !ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out ulong number))
        {
            throw at.Error($"value '{value}' is not an unsigned decimal number");
        }

        return number <= max ? number : throw at.Error($"value {number} is larger than {max}");
    }

    private static bool IsDecimal(ReadOnlySpan<char> text) => !text.IsEmpty && !text.ContainsAnyExceptInRange('0', '9');

    private static IPEndPoint ParseEndpoint(ReadOnlySpan<char> value, LineContext at)
    {
        ReadOnlySpan<char> host;
        ReadOnlySpan<char> port;
        AddressFamily family;
        var text = value;
        if (text.StartsWith('['))
        {
            int close = text.IndexOf("]:", StringComparison.Ordinal);
            if (close < 0)
            {
                throw at.Error($"value '{value}' is not [IPv6]:port");
            }

            host = text[1..close];
            port = text[(close + 2)..];
            family = AddressFamily.InterNetworkV6;
        }
        else
        {
            int colon = text.IndexOf(':');
            if (colon < 0)
            {
                throw at.Error($"value '{value}' is not IPv4:port");
            }

            host = text[..colon];
            port = text[(colon + 1)..];
            family = AddressFamily.InterNetwork;
        }

        if (!IPAddress.TryParse(host, out var address) || address.AddressFamily != family)
        {
            throw at.Error($"value '{value}' does not hold a valid {(family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} address");
        }

        return new IPEndPoint(address, (int)ParseUnsigned(port, ushort.MaxValue, at));
    }

    private static IPNetwork ParseNetwork(ReadOnlySpan<char> value, LineContext at)
    {
        int slash = value.IndexOf('/');
        if (slash <= 0 || !IPAddress.TryParse(value[..slash], out var address)
            || address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            throw at.Error($"value '{value}' is not an IP prefix (address/length)");
        }

        int maxLength = Route.InterfaceAddress.MaxPrefix(address);
        int length = (int)ParseUnsigned(value[(slash + 1)..], (ulong)maxLength, at);
        if (!IPNetwork.TryParse(value, out var network) || network.PrefixLength != length || !network.BaseAddress.Equals(address))
        {
            throw at.Error($"value '{value}' is not a masked prefix (host bits set)");
        }

        return network;
    }

    private static WireGuardUapiException Malformed(string source, string problem) =>
        new(Errno.EPROTO, $"Malformed UAPI reply from {source}: {problem}.");

    /// <summary>Where a value came from, for error messages that never echo key material.</summary>
    private readonly record struct LineContext(string Source, int Line, string Key)
    {
        public WireGuardUapiException Error(string problem) => Malformed(Source, $"line {Line} ({Key}=…) {problem}");
    }

    /// <summary>Collects one peer's lines.</summary>
    private sealed class PeerBuilder(WireGuardKey publicKey)
    {
        public WireGuardKey? PresharedKey { get; set; }

        public IPEndPoint? Endpoint { get; set; }

        public ulong HandshakeSeconds { get; set; }

        public ulong HandshakeNanoseconds { get; set; }

        public ulong TransmitBytes { get; set; }

        public ulong ReceiveBytes { get; set; }

        public ushort Keepalive { get; set; }

        public int ProtocolVersion { get; set; }

        public List<IPNetwork> AllowedIPs { get; } = [];

        public WireGuardPeer Build(LineContext at)
        {
            DateTimeOffset? handshake = null;
            if (HandshakeSeconds != 0)
            {
                if (HandshakeSeconds > (ulong)DateTimeOffset.MaxValue.ToUnixTimeSeconds())
                {
                    throw at.Error($"peer reports a last handshake {HandshakeSeconds} s after 1970, beyond year 9999");
                }

                handshake = DateTimeOffset.FromUnixTimeSeconds((long)HandshakeSeconds)
                    .AddTicks((long)HandshakeNanoseconds / NanosecondsPerTick);
            }

            return new WireGuardPeer
            {
                PublicKey = publicKey,
                PresharedKey = PresharedKey,
                Endpoint = Endpoint,
                LastHandshake = handshake,
                ReceiveBytes = ReceiveBytes,
                TransmitBytes = TransmitBytes,
                PersistentKeepaliveInterval = Keepalive,
                AllowedIPs = AllowedIPs,
                ProtocolVersion = ProtocolVersion,
            };
        }
    }
}
