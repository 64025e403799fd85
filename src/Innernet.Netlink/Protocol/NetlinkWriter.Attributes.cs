using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Innernet.Netlink.Errors;
using Innernet.Netlink.Interop;

namespace Innernet.Netlink.Protocol;

/// <summary>Attribute writers: scalars host endian, strings NUL-terminated, nests with <c>NLA_F_NESTED</c>.</summary>
internal ref partial struct NetlinkWriter
{
    /// <summary>Writes an attribute header and returns its (zeroed) payload to fill.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<byte> BeginAttribute(ushort type, int payloadLength)
    {
        int length = LinuxNetlink.NLA_HDRLEN + payloadLength;
        if (length > MaxAttributeLength)
        {
            ThrowHelper.ThrowAttributeTooLarge(type, length);
        }

        Span<byte> span = Reserve(length);
        var header = new LinuxNetlink.nlattr { nla_len = (ushort)length, nla_type = type };
        MemoryMarshal.Write(span, in header);
        return span[LinuxNetlink.NLA_HDRLEN..];
    }

    /// <summary>Writes a u8 attribute.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteU8(ushort type, byte value) => BeginAttribute(type, sizeof(byte))[0] = value;

    /// <summary>Writes a u16 attribute (host endian).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteU16(ushort type, ushort value) => MemoryMarshal.Write(BeginAttribute(type, sizeof(ushort)), in value);

    /// <summary>Writes a u32 attribute (host endian).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteU32(ushort type, uint value) => MemoryMarshal.Write(BeginAttribute(type, sizeof(uint)), in value);

    /// <summary>Writes a s32 attribute (host endian).</summary>
    public void WriteS32(ushort type, int value) => MemoryMarshal.Write(BeginAttribute(type, sizeof(int)), in value);

    /// <summary>Writes a u64 attribute (host endian).</summary>
    public void WriteU64(ushort type, ulong value) => MemoryMarshal.Write(BeginAttribute(type, sizeof(ulong)), in value);

    /// <summary>Writes raw bytes.</summary>
    public void WriteBytes(ushort type, ReadOnlySpan<byte> value) => value.CopyTo(BeginAttribute(type, value.Length));

    /// <summary>Writes a UTF-8 string with its terminating NUL (<c>NLA_NUL_STRING</c>/<c>NLA_STRING</c>).</summary>
    public void WriteString(ushort type, string value)
    {
        int byteCount = Encoding.UTF8.GetByteCount(value);
        Span<byte> payload = BeginAttribute(type, byteCount + 1);
        Encoding.UTF8.GetBytes(value, payload);
        payload[byteCount] = 0;
    }

    /// <summary>Writes the address bytes in network order (4 or 16 bytes).</summary>
    public void WriteAddress(ushort type, IPAddress address)
    {
        Span<byte> payload = BeginAttribute(type, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
            ? LinuxWireGuard.SizeOfInAddr
            : LinuxWireGuard.SizeOfIn6Addr);
        if (!address.TryWriteBytes(payload, out _))
        {
            throw new ArgumentException($"Cannot encode address {address}.", nameof(address));
        }
    }

    /// <summary>Opens a nest: type gets <c>NLA_F_NESTED</c>; <see cref="EndNested"/> back-fills <c>nla_len</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public NestScope BeginNested(ushort type)
    {
        int start = _position;
        ushort flagged = (ushort)(type | LinuxNetlink.NLA_F_NESTED);
        BeginAttribute(flagged, 0);
        return new NestScope(start, flagged);
    }

    /// <summary>Closes a nest: back-fills <c>nla_len</c>; throws if it would exceed 65535 bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void EndNested(NestScope scope)
    {
        int length = _position - scope.Start;
        if (length > MaxAttributeLength)
        {
            ThrowHelper.ThrowAttributeTooLarge(scope.Type, length);
        }

        var header = new LinuxNetlink.nlattr { nla_len = (ushort)length, nla_type = scope.Type };
        MemoryMarshal.Write(_buffer.Slice(scope.Start, LinuxNetlink.NLA_HDRLEN), in header);
    }
}
