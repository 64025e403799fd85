using Innernet.Netlink.Interop;
using Innernet.Netlink.Protocol;
using Innernet.Netlink.Sockets;

namespace Innernet.Netlink.Tests.WireGuard;

/// <summary>
/// A fake kernel that acknowledges every request and records nothing, so it allocates nothing either: for
/// measuring what the client side of a SET allocates. Counts datagrams and bytes.
/// </summary>
internal sealed class AckingKernel : INetlinkTransport
{
    private const int ErrorCodeSize = sizeof(int);
    private uint _lastSequence;

    public AckingKernel(uint portId)
    {
        PortId = portId;
    }

    public uint PortId { get; }

    public int Datagrams { get; private set; }

    public long Bytes { get; private set; }

    public void Send(ReadOnlySpan<byte> datagram)
    {
        _lastSequence = NlMsgHeader.Read(datagram).Sequence;
        Datagrams++;
        Bytes += datagram.Length;
    }

    /// <summary>A capped success ACK: header, error 0, the echoed request header (36 bytes, as the kernel sends it).</summary>
    public int Receive(Span<byte> buffer)
    {
        const int length = NlMsgHeader.Size + ErrorCodeSize + NlMsgHeader.Size;
        buffer[..length].Clear();
        new NlMsgHeader(length, LinuxNetlink.NLMSG_ERROR, LinuxNetlink.NLM_F_CAPPED, _lastSequence, PortId).WriteTo(buffer);
        new NlMsgHeader(0, 0, 0, _lastSequence, PortId).WriteTo(buffer[(NlMsgHeader.Size + ErrorCodeSize)..]);
        return length;
    }

    public void Dispose()
    {
    }
}
