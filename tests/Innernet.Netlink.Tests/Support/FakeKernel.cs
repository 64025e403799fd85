using Innernet.Netlink.Protocol;
using Innernet.Netlink.Sockets;

namespace Innernet.Netlink.Tests.Support;

/// <summary>
/// A scripted kernel behind <see cref="INetlinkTransport"/>: each request sent is recorded and handed to
/// <see cref="Respond"/>, whose datagrams are queued for the following receives.
/// </summary>
internal sealed class FakeKernel : INetlinkTransport
{
    private readonly Queue<byte[]> _pending = new();

    public FakeKernel(uint portId = 4242)
    {
        PortId = portId;
    }

    public uint PortId { get; }

    /// <summary>Requests as sent (with their sequence numbers).</summary>
    public List<byte[]> Sent { get; } = [];

    /// <summary>Maps a request (and its index) to the datagrams the kernel answers with.</summary>
    public Func<byte[], int, IEnumerable<byte[]>> Respond { get; set; } = (_, _) => [];

    public bool Disposed { get; private set; }

    public void Send(ReadOnlySpan<byte> datagram)
    {
        byte[] copy = datagram.ToArray();
        Sent.Add(copy);
        foreach (byte[] reply in Respond(copy, Sent.Count - 1))
        {
            _pending.Enqueue(reply);
        }
    }

    public int Receive(Span<byte> buffer)
    {
        if (!_pending.TryDequeue(out byte[]? datagram))
        {
            throw new InvalidOperationException("The fake kernel has nothing more to say (the client would block forever).");
        }

        datagram.AsSpan(0, Math.Min(datagram.Length, buffer.Length)).CopyTo(buffer);
        return datagram.Length;
    }

    public void Dispose() => Disposed = true;

    public static uint SequenceOf(byte[] request) => NlMsgHeader.Read(request).Sequence;
}
