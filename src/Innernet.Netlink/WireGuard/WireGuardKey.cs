using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;

namespace Innernet.Netlink.WireGuard;

/// <summary>
/// A 32-byte WireGuard key (private, public or preshared). Base64 is the human and file form,
/// lowercase hex the UAPI form, raw bytes the netlink form. Equality is constant-time.
/// This type does no cryptography: key generation and X25519 derivation are left to the application.
/// </summary>
public readonly struct WireGuardKey : IEquatable<WireGuardKey>
{
    /// <summary>Length of a WireGuard key in bytes (<c>WG_KEY_LEN</c>).</summary>
    public const int Size = 32;

    private readonly byte[]? _bytes;

    /// <summary>Creates a key from exactly 32 bytes.</summary>
    /// <exception cref="ArgumentException"><paramref name="bytes"/> is not 32 bytes long.</exception>
    public WireGuardKey(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new ArgumentException($"A WireGuard key is {Size} bytes, not {bytes.Length}.", nameof(bytes));
        }

        _bytes = bytes.ToArray();
    }

    /// <summary>The all-zero key; WireGuard reads it as "no key" (e.g. removes a private or preshared key).</summary>
    public static WireGuardKey Zero => new(new byte[Size]);

    /// <summary>The key's 32 bytes (all zero for <c>default</c>).</summary>
    public ReadOnlySpan<byte> Bytes => _bytes ?? new byte[Size];

    /// <summary>True when every byte is zero.</summary>
    public bool IsZero => _bytes is null || !_bytes.AsSpan().ContainsAnyExcept((byte)0);

    /// <summary>Parses standard base64 with padding (44 characters) that decodes to 32 bytes.</summary>
    /// <exception cref="FormatException">The text is not base64 of exactly 32 bytes.</exception>
    public static WireGuardKey Parse(string base64)
    {
        ArgumentNullException.ThrowIfNull(base64);
        return TryParse(base64, out var key)
            ? key
            : throw new FormatException("A WireGuard key must be 44 characters of base64 encoding exactly 32 bytes.");
    }

    /// <summary>Tries to parse standard base64 that decodes to exactly 32 bytes.</summary>
    public static bool TryParse([NotNullWhen(true)] string? base64, out WireGuardKey key)
    {
        key = default;
        return base64 is not null && TryParse(base64.AsSpan(), out key);
    }

    /// <summary>
    /// Tries to parse standard base64 that decodes to exactly 32 bytes, from characters that need not be a string (e.g. a
    /// value decoded in place from JSON).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> base64, out WireGuardKey key)
    {
        key = default;
        if (base64.Length != 44)
        {
            return false;
        }

        Span<byte> buffer = stackalloc byte[33];
        if (!Convert.TryFromBase64Chars(base64, buffer, out int written) || written != Size)
        {
            return false;
        }

        key = new WireGuardKey(buffer[..Size]);
        return true;
    }

    /// <summary>Parses 64 hex digits (either case), the UAPI form.</summary>
    /// <exception cref="FormatException">The text is not 64 hex digits.</exception>
    public static WireGuardKey FromHex(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        return TryFromHex(hex, out var key)
            ? key
            : throw new FormatException("A WireGuard key in hex form must be 64 hex digits.");
    }

    /// <summary>Tries to parse 64 hex digits.</summary>
    public static bool TryFromHex(ReadOnlySpan<char> hex, out WireGuardKey key)
    {
        key = default;
        if (hex.Length != Size * 2)
        {
            return false;
        }

        Span<byte> buffer = stackalloc byte[Size];
        if (Convert.FromHexString(hex, buffer, out _, out int written) != System.Buffers.OperationStatus.Done || written != Size)
        {
            return false;
        }

        key = new WireGuardKey(buffer);
        return true;
    }

    /// <summary>Standard base64 with padding.</summary>
    public string ToBase64() => Convert.ToBase64String(Bytes);

    /// <summary>Lowercase hex (the UAPI form).</summary>
    public string ToHex() => Convert.ToHexStringLower(Bytes);

    /// <summary>Copies the 32 bytes into <paramref name="destination"/>.</summary>
    public void CopyTo(Span<byte> destination) => Bytes.CopyTo(destination);

    /// <summary>
    /// Constant-time comparison of the 32 bytes: the differences of all four 8-byte words are combined before the one
    /// test, so the time does not depend on where (or whether) the keys differ.
    /// </summary>
    public bool Equals(WireGuardKey other)
    {
        ReadOnlySpan<ulong> a = MemoryMarshal.Cast<byte, ulong>(Bytes), b = MemoryMarshal.Cast<byte, ulong>(other.Bytes);
        return ((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3])) == 0;
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is WireGuardKey other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        // HashCode is seeded per process, so keys chosen by a peer or a server cannot be made to collide on purpose.
        ReadOnlySpan<ulong> words = MemoryMarshal.Cast<byte, ulong>(Bytes);
        return HashCode.Combine(words[0], words[1], words[2], words[3]);
    }

    /// <summary>The base64 form. Beware: for a private key this is the secret itself; never log it.</summary>
    public override string ToString() => ToBase64();

    /// <summary>Equality operator (constant time).</summary>
    public static bool operator ==(WireGuardKey left, WireGuardKey right) => left.Equals(right);

    /// <summary>Inequality operator (constant time).</summary>
    public static bool operator !=(WireGuardKey left, WireGuardKey right) => !left.Equals(right);
}
