namespace Innernet.Netlink.Protocol;

/// <summary>One message of a datagram: the validated header and the payload after it (up to <c>nlmsg_len</c>).</summary>
internal readonly ref struct NetlinkMessage
{
    public NetlinkMessage(NlMsgHeader header, ReadOnlySpan<byte> payload)
    {
        Header = header;
        Payload = payload;
    }

    /// <summary>The message header.</summary>
    public NlMsgHeader Header { get; }

    /// <summary>The bytes after the 16-byte header (family header and attributes).</summary>
    public ReadOnlySpan<byte> Payload { get; }
}
