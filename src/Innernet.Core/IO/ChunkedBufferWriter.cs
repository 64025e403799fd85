using System.Buffers;

namespace Innernet.Core.IO;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> that keeps what is written in chunks of at most 64 KiB and copies it once into an
/// array of exactly its length (<see cref="ToArray"/>). Made for serialising bodies of megabytes (a state of 10,000
/// peers is 2.6 MB): a buffer that doubles copies the body at every doubling, each copy in the large object heap, and a
/// pooled buffer (what <c>JsonSerializer.SerializeToUtf8Bytes</c> rents) stays in the pool, at its largest size, for the
/// rest of the process. The chunks stay below the large object heap's threshold and are garbage once the array is
/// made. Not thread-safe.
/// </summary>
internal sealed class ChunkedBufferWriter : IBufferWriter<byte>
{
    /// <summary>The first chunk; each next one is twice as large, up to <see cref="MaxChunk"/>.</summary>
    internal const int FirstChunk = 4 * 1024;

    /// <summary>Below the large object heap's threshold (85,000 bytes).</summary>
    internal const int MaxChunk = 64 * 1024;

    private readonly List<(byte[] Bytes, int Used)> _full = [];
    private byte[] _chunk = new byte[FirstChunk];
    private int _used;
    private int _length;

    /// <summary>Bytes written so far.</summary>
    public int WrittenCount => _length;

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative or more than the room last handed out.</exception>
    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _chunk.Length - _used);
        _used += count;
        _length = checked(_length + count);
    }

    /// <inheritdoc/>
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _chunk.AsMemory(_used);
    }

    /// <inheritdoc/>
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _chunk.AsSpan(_used);
    }

    /// <summary>Everything written, in one new array of exactly <see cref="WrittenCount"/> bytes.</summary>
    public byte[] ToArray()
    {
        byte[] result = GC.AllocateUninitializedArray<byte>(_length);
        int at = 0;
        foreach (var (bytes, used) in _full)
        {
            bytes.AsSpan(0, used).CopyTo(result.AsSpan(at));
            at += used;
        }

        _chunk.AsSpan(0, _used).CopyTo(result.AsSpan(at));
        return result;
    }

    /// <summary>Makes room for at least <paramref name="sizeHint"/> bytes (at least one) in the current chunk.</summary>
    private void Reserve(int sizeHint)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sizeHint);
        int needed = Math.Max(sizeHint, 1);
        if (_chunk.Length - _used < needed)
        {
            _full.Add((_chunk, _used));
            _chunk = new byte[Math.Max(Math.Min(_chunk.Length * 2, MaxChunk), needed)];
            _used = 0;
        }
    }
}
