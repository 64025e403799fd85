using System.Runtime.CompilerServices;
using Innernet.Netlink.Errors;
using Innernet.Netlink.Interop;

namespace Innernet.Netlink.Protocol;

/// <summary>
/// Writes netlink messages into a caller-supplied span: a message header whose <c>nlmsg_len</c> is
/// back-filled by <see cref="EndMessage"/>, fixed family headers, and attributes (see
/// <c>NetlinkWriter.Attributes.cs</c>) whose nests back-fill <c>nla_len</c> and carry <c>NLA_F_NESTED</c>.
/// Everything is padded to 4 bytes with zeros. Overflowing the span throws <see cref="InvalidOperationException"/>;
/// callers that split (the WireGuard builder) check <see cref="Remaining"/> first.
/// </summary>
internal ref partial struct NetlinkWriter
{
    private readonly Span<byte> _buffer;
    private int _position;
    private int _messageStart;

    /// <summary>Creates a writer over <paramref name="buffer"/>, starting at offset 0.</summary>
    public NetlinkWriter(Span<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
        _messageStart = -1;
    }

    /// <summary>Bytes written so far.</summary>
    public readonly int Position => _position;

    /// <summary>Bytes still free in the buffer.</summary>
    public readonly int Remaining => _buffer.Length - _position;

    /// <summary>The bytes written so far.</summary>
    public readonly ReadOnlySpan<byte> Written => _buffer[.._position];

    /// <summary>Starts a message: reserves <c>nlmsghdr</c> (length back-filled by <see cref="EndMessage"/>).</summary>
    public void BeginMessage(ushort type, ushort flags, uint sequence = 0)
    {
        if (_messageStart >= 0)
        {
            throw new InvalidOperationException("A netlink message is already open; call EndMessage first.");
        }

        _messageStart = _position;
        new NlMsgHeader(0, type, flags, sequence, 0).WriteTo(Reserve(NlMsgHeader.Size));
    }

    /// <summary>Back-fills <c>nlmsg_len</c> of the open message and returns its length.</summary>
    public int EndMessage()
    {
        if (_messageStart < 0)
        {
            throw new InvalidOperationException("No netlink message is open.");
        }

        int length = _position - _messageStart;
        Unsafe.WriteUnaligned(ref _buffer[_messageStart], (uint)length);
        _messageStart = -1;
        return length;
    }

    /// <summary>Writes a <c>genlmsghdr</c>.</summary>
    public void WriteHeader(GenlMsgHeader header) => header.WriteTo(Reserve(GenlMsgHeader.Size));

    /// <summary>Writes an <c>ifinfomsg</c>.</summary>
    public void WriteHeader(IfInfoMsg header) => header.WriteTo(Reserve(IfInfoMsg.Size));

    /// <summary>Writes an <c>ifaddrmsg</c>.</summary>
    public void WriteHeader(IfAddrMsg header) => header.WriteTo(Reserve(IfAddrMsg.Size));

    /// <summary>Writes an <c>rtmsg</c>.</summary>
    public void WriteHeader(RtMsg header) => header.WriteTo(Reserve(RtMsg.Size));

    /// <summary>Writes raw payload bytes (a fixed structure that is not an attribute), padded to 4.</summary>
    public void WriteRaw(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Reserve(bytes.Length));

    /// <summary>Drops everything written after <paramref name="position"/> (cancels a partial element).</summary>
    public void Rewind(int position)
    {
        if ((uint)position > (uint)_position)
        {
            throw new ArgumentOutOfRangeException(nameof(position), position, "Can only rewind to an earlier position.");
        }

        _position = position;
    }

    /// <summary>
    /// Reserves <paramref name="length"/> bytes plus padding to 4, zero-filled; returns the unpadded span (for
    /// encoders that lay out a fixed-size element themselves).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<byte> Reserve(int length)
    {
        int padded = NetlinkAlignment.Align(length);
        if (padded > Remaining)
        {
            ThrowHelper.ThrowBufferTooSmall(padded, Remaining);
        }

        Span<byte> span = _buffer.Slice(_position, padded);
        span.Clear();
        _position += padded;
        return span[..length];
    }

    /// <summary>Token for an open nest; pass it to <see cref="EndNested"/>.</summary>
    internal readonly struct NestScope
    {
        internal NestScope(int start, ushort type)
        {
            Start = start;
            Type = type;
        }

        internal int Start { get; }

        internal ushort Type { get; }
    }

    /// <summary>Largest value <c>nla_len</c> can hold.</summary>
    public const int MaxAttributeLength = ushort.MaxValue;

    /// <summary>The nlattr header size.</summary>
    public const int AttributeHeaderSize = LinuxNetlink.NLA_HDRLEN;
}
