using System.Runtime.InteropServices;
using Innernet.Netlink.Errors;
using Innernet.Netlink.Interop;
using Innernet.Netlink.Protocol;

namespace Innernet.Netlink.Sockets;

/// <summary>
/// The one request loop for every netlink exchange: stamps a per-connection increasing sequence number,
/// sends, and reads replies until the request's ACK (<c>NLMSG_ERROR</c> 0) or, for dumps, <c>NLMSG_DONE</c>.
/// Replies whose <c>nlmsg_seq</c> or <c>nlmsg_pid</c> do not match are stale and skipped. Errors (in
/// <c>NLMSG_ERROR</c> or inside <c>NLMSG_DONE</c>) become <see cref="NetlinkException"/> with the extack
/// text; a dump marked <c>NLM_F_DUMP_INTR</c> is retried up to <see cref="MaxDumpAttempts"/> times.
/// Not thread-safe: one request at a time.
/// </summary>
internal sealed class NetlinkConnection : IDisposable
{
    /// <summary>Receive buffer size: above the kernel's 32 KiB dump skb cap, so dumps are never truncated.</summary>
    public const int ReceiveBufferSize = 64 * 1024;

    /// <summary>Attempts of a dump that keeps coming back with <c>NLM_F_DUMP_INTR</c>.</summary>
    public const int MaxDumpAttempts = 5;

    private const int ErrorCodeSize = sizeof(int);

    private readonly INetlinkTransport _transport;
    private readonly byte[] _receiveBuffer = new byte[ReceiveBufferSize];
    private uint _sequence;

    /// <summary>Wraps a transport; the sequence starts at a random value unless <paramref name="initialSequence"/> is given.</summary>
    public NetlinkConnection(INetlinkTransport transport, uint? initialSequence = null)
    {
        _transport = transport;
        _sequence = initialSequence ?? (uint)Random.Shared.Next(1, int.MaxValue);
    }

    /// <summary>The socket's port id.</summary>
    public uint PortId => _transport.PortId;

    /// <summary>Opens a real socket for <paramref name="protocol"/> in the calling thread's network namespace.</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public static NetlinkConnection Open(int protocol) => new(NetlinkSocket.Open(protocol));

    /// <summary>
    /// Sends a request that carries <c>NLM_F_ACK</c> and returns copies of the data messages received
    /// before its ACK (empty for pure mutations).
    /// </summary>
    /// <exception cref="NetlinkException">The kernel answered with an error.</exception>
    /// <exception cref="NetlinkProtocolException">A reply was malformed or truncated.</exception>
    public List<byte[]> Execute(Span<byte> request, string operation) => Transact(request, operation, dump: false, collect: true)!;

    /// <summary>
    /// Sends a mutation that carries <c>NLM_F_ACK</c> and waits for its ACK, allocating nothing: data messages
    /// before the ACK (none are expected) are skipped. <paramref name="request"/> gets its sequence stamped in place.
    /// </summary>
    /// <exception cref="NetlinkException">The kernel answered with an error.</exception>
    /// <exception cref="NetlinkProtocolException">A reply was malformed or truncated.</exception>
    public void Acknowledge(Span<byte> request, string operation) => Transact(request, operation, dump: false, collect: false);

    /// <summary>Sends a dump request (<c>NLM_F_DUMP</c>) and returns copies of every data message up to <c>NLMSG_DONE</c>.</summary>
    /// <exception cref="NetlinkException">The kernel answered with an error, or the dump stayed inconsistent (<c>EINTR</c>).</exception>
    /// <exception cref="NetlinkProtocolException">A reply was malformed or truncated.</exception>
    public List<byte[]> Dump(Span<byte> request, string operation) => Transact(request, operation, dump: true, collect: true)!;

    public void Dispose() => _transport.Dispose();

    private List<byte[]>? Transact(Span<byte> request, string operation, bool dump, bool collect)
    {
        NlMsgHeader requestHeader = NlMsgHeader.Read(request);
        if (requestHeader.Length != request.Length)
        {
            throw new ArgumentException($"nlmsg_len {requestHeader.Length} does not match the request length {request.Length}.",
                nameof(request));
        }

        for (int attempt = 1; attempt <= MaxDumpAttempts; attempt++)
        {
            uint sequence = NextSequence();
            NlMsgHeader.PatchSequence(request, sequence);
            _transport.Send(request);
            List<byte[]>? results = collect ? [] : null;
            if (ReadReplies(sequence, operation, dump, results))
            {
                return results;
            }
        }

        throw new NetlinkException(Errno.EINTR, operation,
            $"{operation} failed: the dump was interrupted by concurrent changes {MaxDumpAttempts} times in a row (NLM_F_DUMP_INTR)",
            null);
    }

    /// <summary>Reads until the exchange ends; returns false when a dump was interrupted and must be retried.</summary>
    private bool ReadReplies(uint sequence, string operation, bool dump, List<byte[]>? results)
    {
        bool interrupted = false;
        while (true)
        {
            int length = _transport.Receive(_receiveBuffer);
            if (length > _receiveBuffer.Length)
            {
                ThrowHelper.ThrowProtocol(
                    $"{operation}: a {length}-byte netlink datagram exceeded the {_receiveBuffer.Length}-byte receive buffer (MSG_TRUNC).");
            }

            if (length <= 0)
            {
                ThrowHelper.ThrowProtocol($"{operation}: received an empty netlink datagram.");
            }

            ReadOnlySpan<byte> datagram = _receiveBuffer.AsSpan(0, length);
            int offset = 0;
            foreach (NetlinkMessage message in new NetlinkMessageReader(datagram))
            {
                NlMsgHeader header = message.Header;
                int messageStart = offset;
                offset += Math.Min(NetlinkAlignment.Align((int)header.Length), datagram.Length - offset);
                if (header.Sequence != sequence || header.PortId != PortId)
                {
                    continue; // Stale: a late reply to an earlier, abandoned request.
                }

                if ((header.Flags & LinuxNetlink.NLM_F_DUMP_INTR) != 0)
                {
                    interrupted = true;
                }

                switch (header.Type)
                {
                    case LinuxNetlink.NLMSG_NOOP:
                        continue;
                    case LinuxNetlink.NLMSG_OVERRUN:
                        ThrowHelper.ThrowProtocol($"{operation}: the kernel reported NLMSG_OVERRUN (data lost).");
                        break;
                    case LinuxNetlink.NLMSG_ERROR:
                        ThrowIfError(message, operation);
                        return !interrupted || !dump; // ACK: the exchange is complete.
                    case LinuxNetlink.NLMSG_DONE:
                        ThrowIfDoneError(message, operation);
                        return !interrupted;
                    default:
                        results?.Add(datagram.Slice(messageStart, (int)header.Length).ToArray());
                        break;
                }
            }
        }
    }

    private uint NextSequence()
    {
        _sequence = _sequence == uint.MaxValue ? 1 : _sequence + 1;
        return _sequence;
    }

    /// <summary>Throws for a non-zero <c>NLMSG_ERROR</c>; returns for an ACK (extack warnings on success are ignored).</summary>
    internal static void ThrowIfError(NetlinkMessage message, string operation)
    {
        ReadOnlySpan<byte> payload = message.Payload;
        if (payload.Length < ErrorCodeSize)
        {
            ThrowHelper.ThrowProtocol($"{operation}: NLMSG_ERROR payload of {payload.Length} bytes lacks the error code.");
        }

        int error = MemoryMarshal.Read<int>(payload);
        if (error == 0)
        {
            return;
        }

        if (payload.Length < ErrorCodeSize + NlMsgHeader.Size)
        {
            ThrowHelper.ThrowProtocol($"{operation}: NLMSG_ERROR payload of {payload.Length} bytes lacks the echoed request header.");
        }

        int tlvOffset;
        if ((message.Header.Flags & LinuxNetlink.NLM_F_CAPPED) != 0)
        {
            tlvOffset = ErrorCodeSize + NlMsgHeader.Size;
        }
        else
        {
            NlMsgHeader echoed = NlMsgHeader.Read(payload[ErrorCodeSize..]);
            if (echoed.Length < NlMsgHeader.Size || echoed.Length > (uint)(payload.Length - ErrorCodeSize))
            {
                ThrowHelper.ThrowProtocol(
                    $"{operation}: the echoed request length {echoed.Length} in NLMSG_ERROR does not fit its "
                    + $"{payload.Length}-byte payload.");
            }

            tlvOffset = Math.Min(ErrorCodeSize + NetlinkAlignment.Align((int)echoed.Length), payload.Length);
        }

        ThrowKernelError(error, operation, message.Header.Flags, payload[tlvOffset..]);
    }

    /// <summary>Throws when <c>NLMSG_DONE</c> carries a negative errno (TLVs follow the error code directly).</summary>
    internal static void ThrowIfDoneError(NetlinkMessage message, string operation)
    {
        ReadOnlySpan<byte> payload = message.Payload;
        if (payload.Length < ErrorCodeSize)
        {
            return; // Very old kernels sent an empty DONE; nothing to report.
        }

        int error = MemoryMarshal.Read<int>(payload);
        if (error != 0)
        {
            ThrowKernelError(error, operation, message.Header.Flags, payload[ErrorCodeSize..]);
        }
    }

    private static void ThrowKernelError(int error, string operation, ushort flags, ReadOnlySpan<byte> tlvs)
    {
        string? text = null;
        int? offset = null;
        if ((flags & LinuxNetlink.NLM_F_ACK_TLVS) != 0)
        {
            foreach (NetlinkAttribute attribute in new AttributeReader(tlvs))
            {
                switch ((LinuxNetlink.nlmsgerr_attrs)attribute.Type)
                {
                    case LinuxNetlink.nlmsgerr_attrs.NLMSGERR_ATTR_MSG:
                        text = attribute.GetString();
                        break;
                    case LinuxNetlink.nlmsgerr_attrs.NLMSGERR_ATTR_OFFS:
                        offset = (int)attribute.GetU32();
                        break;
                }
            }
        }

        // The kernel sends a negative errno; some userspace peers send it positive. Normalise.
        int errno = error == int.MinValue ? int.MaxValue : Math.Abs(error);
        ThrowHelper.ThrowNetlink(errno, operation, text, offset);
    }
}
