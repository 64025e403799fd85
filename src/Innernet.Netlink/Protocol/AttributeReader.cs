using System.Runtime.InteropServices;
using Innernet.Netlink.Errors;
using Innernet.Netlink.Interop;

namespace Innernet.Netlink.Protocol;

/// <summary>
/// Enumerates attributes (<c>foreach</c>-able, allocation-free). Each <c>nla_len</c> is checked
/// (≥ 4, ≤ bytes left) before slicing; malformed input throws <see cref="NetlinkProtocolException"/>.
/// Type-0 and unknown attributes are returned like any other; callers skip what they do not know.
/// </summary>
internal ref struct AttributeReader
{
    private ReadOnlySpan<byte> _remaining;
    private NetlinkAttribute _current;

    public AttributeReader(ReadOnlySpan<byte> attributes)
    {
        _remaining = attributes;
        _current = default;
    }

    public readonly NetlinkAttribute Current => _current;

    public readonly AttributeReader GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_remaining.IsEmpty)
        {
            return false;
        }

        if (_remaining.Length < LinuxNetlink.NLA_HDRLEN)
        {
            ThrowHelper.ThrowProtocol($"{_remaining.Length} trailing bytes are too short for an attribute header.");
        }

        var header = MemoryMarshal.Read<LinuxNetlink.nlattr>(_remaining);
        if (header.nla_len < LinuxNetlink.NLA_HDRLEN || header.nla_len > _remaining.Length)
        {
            ThrowHelper.ThrowProtocol(
                $"nla_len {header.nla_len} of attribute type {header.nla_type & LinuxNetlink.NLA_TYPE_MASK} is outside "
                + $"[{LinuxNetlink.NLA_HDRLEN}, {_remaining.Length}].");
        }

        _current = new NetlinkAttribute(header.nla_type, _remaining[LinuxNetlink.NLA_HDRLEN..header.nla_len]);
        int advance = Math.Min(NetlinkAlignment.Align(header.nla_len), _remaining.Length);
        _remaining = _remaining[advance..];
        return true;
    }
}
