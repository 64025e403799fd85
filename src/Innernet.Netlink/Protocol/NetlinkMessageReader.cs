using Innernet.Netlink.Errors;

namespace Innernet.Netlink.Protocol;

/// <summary>
/// Enumerates the messages packed in one datagram (<c>foreach</c>-able). Each <c>nlmsg_len</c> is checked
/// (≥ 16, ≤ bytes left) before slicing; malformed input throws <see cref="NetlinkProtocolException"/>.
/// </summary>
internal ref struct NetlinkMessageReader
{
    private ReadOnlySpan<byte> _remaining;
    private NetlinkMessage _current;

    public NetlinkMessageReader(ReadOnlySpan<byte> datagram)
    {
        _remaining = datagram;
        _current = default;
    }

    public readonly NetlinkMessage Current => _current;

    public readonly NetlinkMessageReader GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_remaining.IsEmpty)
        {
            return false;
        }

        if (_remaining.Length < NlMsgHeader.Size)
        {
            ThrowHelper.ThrowProtocol($"{_remaining.Length} trailing bytes are too short for a netlink message header.");
        }

        NlMsgHeader header = NlMsgHeader.Read(_remaining);
        if (header.Length < NlMsgHeader.Size || header.Length > (uint)_remaining.Length)
        {
            ThrowHelper.ThrowProtocol(
                $"nlmsg_len {header.Length} of message type {header.Type} is outside [{NlMsgHeader.Size}, {_remaining.Length}].");
        }

        int length = (int)header.Length;
        _current = new NetlinkMessage(header, _remaining[NlMsgHeader.Size..length]);
        int advance = Math.Min(NetlinkAlignment.Align(length), _remaining.Length);
        _remaining = _remaining[advance..];
        return true;
    }
}
