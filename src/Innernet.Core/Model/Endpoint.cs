using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Innernet.Core.Model;

/// <summary>
/// An underlay endpoint <c>host:port</c> as innernet writes it: the host is an IPv4 address, a bracketed
/// IPv6 address or a DNS name (WHATWG URL host rules, simplified: no percent-decoding and no short IPv4 forms).
/// The text is split at the last colon. <see cref="ToString"/> gives the canonical form back.
/// </summary>
public sealed class Endpoint : IEquatable<Endpoint>
{
    // WHATWG "forbidden host code points" (plus ':' which cannot appear in an unbracketed host here).
    private const string ForbiddenHostChars = " #%/:<>?@[\\]^|";
    private const int MaxDomainLength = 253;

    private Endpoint(string host, IPAddress? address, ushort port)
    {
        Host = host;
        Address = address;
        Port = port;
    }

    /// <summary>The host without brackets: a canonical IP address text or a lowercase DNS name.</summary>
    public string Host { get; }

    /// <summary>The IP address when the host is an IP literal; null for a DNS name.</summary>
    public IPAddress? Address { get; }

    /// <summary>The UDP port.</summary>
    public ushort Port { get; }

    /// <summary>True when the host is a DNS name that needs resolving.</summary>
    public bool IsDnsName => Address is null;

    /// <summary>True for <c>0.0.0.0</c> or <c>[::]</c>: "the address the server observes, with this port".</summary>
    public bool IsUnspecified => Address is not null && (Address.Equals(IPAddress.Any) || Address.Equals(IPAddress.IPv6Any));

    /// <summary>Creates an endpoint from an IP address (scope ids are not allowed) and a port.</summary>
    /// <exception cref="ValidationException">The address carries an IPv6 scope id.</exception>
    public static Endpoint FromAddress(IPAddress address, ushort port)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0)
        {
            throw new ValidationException($"Endpoint address '{address}' has a scope id, which innernet endpoints cannot carry.");
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return new Endpoint(FormatAddress(address), address, port);
    }

    /// <summary>Creates an endpoint from a socket address.</summary>
    public static Endpoint FromIPEndPoint(IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        return FromAddress(endPoint.Address, (ushort)endPoint.Port);
    }

    /// <summary>Parses <c>host:port</c>.</summary>
    /// <exception cref="ValidationException">The text is not a valid endpoint; the message says why.</exception>
    public static Endpoint Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var endpoint, out var error)
            ? endpoint
            : throw new ValidationException(error);
    }

    /// <summary>Tries to parse <c>host:port</c>.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out Endpoint? endpoint)
        => TryParse(text, out endpoint, out _);

    /// <summary>Tries to parse <c>host:port</c>; on failure <paramref name="error"/> says why.</summary>
    public static bool TryParse(
        [NotNullWhen(true)] string? text,
        [NotNullWhen(true)] out Endpoint? endpoint,
        [NotNullWhen(false)] out string? error)
    {
        endpoint = null;
        if (string.IsNullOrEmpty(text))
        {
            error = "Endpoint is empty; expected host:port.";
            return false;
        }

        int colon = text.LastIndexOf(':');
        if (colon < 0)
        {
            error = $"Endpoint '{text}' has no port; expected host:port.";
            return false;
        }

        var portText = text.AsSpan(colon + 1);
        if (portText.Length == 0 || portText.ContainsAnyExceptInRange('0', '9')
            || !ushort.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out ushort port))
        {
            error = $"Endpoint '{text}' has an invalid port '{portText}'; expected a number from 0 to 65535.";
            return false;
        }

        string hostText = text[..colon];

        if (hostText.Length == 0)
        {
            error = $"Endpoint '{text}' has an empty host.";
            return false;
        }

        if (hostText[0] == '[')
        {
            if (hostText.Length < 3 || hostText[^1] != ']')
            {
                error = $"Endpoint '{text}' has an unterminated IPv6 bracket.";
                return false;
            }

            string inner = hostText[1..^1];
            if (inner.Contains('%', StringComparison.Ordinal) || !inner.Contains(':', StringComparison.Ordinal)
                || !IPAddress.TryParse(inner, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                error = $"Endpoint '{text}' has an invalid IPv6 address '{inner}'.";
                return false;
            }

            endpoint = new Endpoint(FormatAddress(v6), v6, port);
            error = null;
            return true;
        }

        if (hostText.Contains(':', StringComparison.Ordinal))
        {
            error = $"Endpoint '{text}' looks like an IPv6 address without brackets; write it as [address]:port.";
            return false;
        }

        if (EndsInNumber(hostText))
        {
            if (!TryParseDottedQuad(hostText, out var v4))
            {
                error = $"Endpoint '{text}' has an invalid IPv4 address '{hostText}'.";
                return false;
            }

            // Four parts of one to three digits without leading zeros: the text is already the canonical form.
            endpoint = new Endpoint(hostText, v4, port);
            error = null;
            return true;
        }

        if (!TryNormalizeDomain(hostText, out string? domain, out error))
        {
            error = $"Endpoint '{text}': {error}";
            return false;
        }

        endpoint = new Endpoint(domain, null, port);
        return true;
    }

    /// <summary>The socket address when the host is an IP literal; null for a DNS name (no lookup is done).</summary>
    public IPEndPoint? TryGetIPEndPoint() => Address is null ? null : new IPEndPoint(Address, Port);

    /// <summary>The same host with another port.</summary>
    public Endpoint WithPort(ushort port) => new(Host, Address, port);

    /// <summary><c>host:port</c>, with IPv6 in brackets, exactly as innernet prints it.</summary>
    public override string ToString()
        => Address is { AddressFamily: AddressFamily.InterNetworkV6 }
            ? string.Create(CultureInfo.InvariantCulture, $"[{Host}]:{Port}")
            : string.Create(CultureInfo.InvariantCulture, $"{Host}:{Port}");

    /// <inheritdoc/>
    public bool Equals(Endpoint? other)
        => other is not null && Port == other.Port && string.Equals(Host, other.Host, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as Endpoint);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Host, Port);

    /// <summary>Whether both are null, or equal by <see cref="Equals(Endpoint?)"/>.</summary>
    public static bool operator ==(Endpoint? left, Endpoint? right) => left is null ? right is null : left.Equals(right);

    /// <summary>The opposite of <see cref="op_Equality"/>.</summary>
    public static bool operator !=(Endpoint? left, Endpoint? right) => !(left == right);

    private static bool EndsInNumber(string host)
    {
        // WHATWG: a host whose last label is numeric must be an IPv4 address.
        var trimmed = host.EndsWith('.') ? host.AsSpan(0, host.Length - 1) : host.AsSpan();
        var last = trimmed[(trimmed.LastIndexOf('.') + 1)..];
        if (last.Length == 0)
        {
            return false;
        }

        if (!last.ContainsAnyExceptInRange('0', '9'))
        {
            return true;
        }

        return last.Length >= 2 && last[0] == '0' && (last[1] == 'x' || last[1] == 'X') && IsAsciiHex(last[2..]);
    }

    private static bool IsAsciiHex(ReadOnlySpan<char> text)
    {
        foreach (char c in text)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryParseDottedQuad(string host, [NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        var rest = host.AsSpan();
        Span<byte> bytes = stackalloc byte[4];
        for (int i = 0; i < 4; i++)
        {
            int dot = rest.IndexOf('.');
            if ((dot < 0) != (i == 3))
            {
                return false;
            }

            var part = dot < 0 ? rest : rest[..dot];
            if (part.Length == 0 || part.Length > 3 || part.ContainsAnyExceptInRange('0', '9')
                || (part.Length > 1 && part[0] == '0')
                || !byte.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out bytes[i]))
            {
                return false;
            }

            rest = dot < 0 ? default : rest[(dot + 1)..];
        }

        address = new IPAddress(bytes);
        return true;
    }

    private static bool TryNormalizeDomain(string host, [NotNullWhen(true)] out string? domain, [NotNullWhen(false)] out string? error)
    {
        domain = null;
        string ascii = host;
        if (!Ascii.IsValid(host))
        {
            try
            {
                ascii = new IdnMapping().GetAscii(host);
            }
            catch (ArgumentException)
            {
                error = $"host '{host}' is not a valid internationalized domain name.";
                return false;
            }
        }

        ascii = ascii.ToLowerInvariant();
        foreach (char c in ascii)
        {
            if (c <= ' ' || c == '\u007f' || ForbiddenHostChars.Contains(c, StringComparison.Ordinal))
            {
                error = $"host '{host}' contains the character '{c}', which is not allowed in a host name.";
                return false;
            }
        }

        if (ascii.Length > MaxDomainLength)
        {
            error = $"host '{host}' is longer than {MaxDomainLength} characters.";
            return false;
        }

        domain = ascii;
        error = null;
        return true;
    }

    /// <summary>WHATWG host serialization: dotted IPv4, or IPv6 in lowercase hex with the first longest zero run compressed.</summary>
    internal static string FormatAddress(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return address.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        Span<ushort> pieces = stackalloc ushort[8];
        for (int i = 0; i < 8; i++)
        {
            pieces[i] = (ushort)((bytes[2 * i] << 8) | bytes[(2 * i) + 1]);
        }

        int bestStart = -1, bestLength = 1;
        for (int i = 0; i < 8;)
        {
            if (pieces[i] != 0)
            {
                i++;
                continue;
            }

            int start = i;
            while (i < 8 && pieces[i] == 0)
            {
                i++;
            }

            if (i - start > bestLength)
            {
                bestStart = start;
                bestLength = i - start;
            }
        }

        var sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++)
        {
            if (i == bestStart)
            {
                sb.Append(i == 0 ? "::" : ":");
                i += bestLength - 1;
                continue;
            }

            sb.Append(pieces[i].ToString("x", CultureInfo.InvariantCulture));
            if (i < 7)
            {
                sb.Append(':');
            }
        }

        return sb.ToString();
    }
}
