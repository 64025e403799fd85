using System.IO;

namespace Innernet.Core.Persistence;

/// <summary>
/// The stream LiteDB writes its write-ahead log to. It makes every LiteDB commit durable before the commit
/// returns, which LiteDB 5.0 itself does not: its commit writes the transaction's pages to the log and never
/// flushes it, so an acknowledged write could vanish with the OS cache on a power cut or kernel crash.
/// </summary>
/// <remarks>
/// <para>LiteDB marks a transaction committed by one "confirmed" flag in the header of its last log page and,
/// when reopening, replays every transaction whose confirmed page it finds. Pages carry no checksum, so the
/// flag must never reach the disk before the rest of the transaction. When a page with the flag arrives this
/// stream therefore (1) writes it with the flag cleared, (2) makes the log durable (every page of the
/// transaction is now on disk), (3) writes the single flag byte — one byte lies inside one sector, so it lands
/// whole or not at all — and (4) makes the log durable again. A crash before (4) leaves an unconfirmed
/// transaction that LiteDB ignores; after (4) the commit survives.</para>
/// <para>A truncation (LiteDB empties the log after copying it into the data file) is made durable at once:
/// new transactions start again at offset 0 and reuse small transaction ids, and an older, longer log showing
/// through after a crash could mix its pages into theirs.</para>
/// <para>"Durable" is <see cref="Stream.Flush()"/> of the inner stream, so the inner stream must map Flush to
/// fsync (<see cref="SyncedFileStream"/> does). LiteDB writes log pages one whole page per call, serialized
/// by its own lock. The stream does not own the inner stream.</para>
/// </remarks>
internal sealed class WriteAheadLogStream : ForwardingStream
{
    public WriteAheadLogStream(Stream inner)
        : base(inner)
    {
    }

    public override void SetLength(long value)
    {
        Inner.SetLength(value);
        Inner.Flush();
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        Write(buffer.AsSpan(offset, count));
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (buffer.Length != LiteDbLayout.PageSize || buffer[LiteDbLayout.ConfirmedFlagOffset] == 0)
        {
            Inner.Write(buffer);
            return;
        }

        long start = Inner.Position;
        Span<byte> unconfirmed = stackalloc byte[LiteDbLayout.PageSize];
        buffer.CopyTo(unconfirmed);
        unconfirmed[LiteDbLayout.ConfirmedFlagOffset] = 0;
        Inner.Write(unconfirmed);
        Inner.Flush();

        Inner.Position = start + LiteDbLayout.ConfirmedFlagOffset;
        Inner.Write(buffer.Slice(LiteDbLayout.ConfirmedFlagOffset, 1));
        Inner.Position = start + LiteDbLayout.PageSize;
        Inner.Flush();
    }
}
