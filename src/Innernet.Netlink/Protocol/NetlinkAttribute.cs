using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Innernet.Netlink.Errors;
using Innernet.Netlink.Interop;

namespace Innernet.Netlink.Protocol;

/// <summary>One attribute: its masked type, flag bits and payload. Typed getters check the exact length.</summary>
internal readonly ref struct NetlinkAttribute
{
    public NetlinkAttribute(ushort rawType, ReadOnlySpan<byte> payload)
    {
        RawType = rawType;
        Payload = payload;
    }

    /// <summary>The type with <c>NLA_F_NESTED</c> and <c>NLA_F_NET_BYTEORDER</c> masked off.</summary>
    public ushort Type => (ushort)(RawType & LinuxNetlink.NLA_TYPE_MASK);

    /// <summary>The type as sent, flags included.</summary>
    public ushort RawType { get; }

    /// <summary>True when <c>NLA_F_NESTED</c> is set.</summary>
    public bool IsNested => (RawType & LinuxNetlink.NLA_F_NESTED) != 0;

    /// <summary>The payload without padding.</summary>
    public ReadOnlySpan<byte> Payload { get; }

    public byte GetU8() => Payload[..Require(sizeof(byte))][0];

    public ushort GetU16() => MemoryMarshal.Read<ushort>(Payload[..Require(sizeof(ushort))]);

    public uint GetU32() => MemoryMarshal.Read<uint>(Payload[..Require(sizeof(uint))]);

    public int GetS32() => MemoryMarshal.Read<int>(Payload[..Require(sizeof(int))]);

    public ulong GetU64() => MemoryMarshal.Read<ulong>(Payload[..Require(sizeof(ulong))]);

    /// <summary>The payload as exactly <paramref name="length"/> bytes.</summary>
    public ReadOnlySpan<byte> GetBytes(int length) => Payload[..Require(length)];

    /// <summary>A string up to the first NUL (or the whole payload when unterminated).</summary>
    public string GetString()
    {
        int nul = Payload.IndexOf((byte)0);
        ReadOnlySpan<byte> text = nul >= 0 ? Payload[..nul] : Payload;
        return Encoding.UTF8.GetString(text);
    }

    /// <summary>A 4- or 16-byte address in network order.</summary>
    public IPAddress GetAddress()
    {
        if (Payload.Length != LinuxWireGuard.SizeOfInAddr && Payload.Length != LinuxWireGuard.SizeOfIn6Addr)
        {
            ThrowHelper.ThrowProtocol($"Attribute type {Type}: an address is 4 or 16 bytes, not {Payload.Length}.");
        }

        return new IPAddress(Payload);
    }

    /// <summary>A 4- or 16-byte address that must match <paramref name="family"/>.</summary>
    public IPAddress GetAddress(AddressFamily family)
    {
        int expected = family == AddressFamily.InterNetwork ? LinuxWireGuard.SizeOfInAddr : LinuxWireGuard.SizeOfIn6Addr;
        Require(expected);
        return new IPAddress(Payload);
    }

    /// <summary>The payload read as a list of attributes.</summary>
    public AttributeReader GetNested() => new(Payload);

    private int Require(int length)
    {
        if (Payload.Length != length)
        {
            ThrowHelper.ThrowProtocol($"Attribute type {Type} has {Payload.Length} payload bytes; {length} expected.");
        }

        return length;
    }
}
