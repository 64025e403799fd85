using System.IO;

namespace Innernet.Core.Persistence;

/// <summary>
/// A file stream whose <see cref="Flush"/> reaches the disk (fsync). LiteDB flushes at every commit, but
/// when it is handed a stream instead of a file name it calls plain <see cref="Stream.Flush()"/>, which
/// for a <see cref="FileStream"/> stops at the OS cache; this wrapper restores its file-mode durability.
/// </summary>
internal sealed class SyncedFileStream : Stream
{
    private readonly FileStream _inner;

    public SyncedFileStream(FileStream inner) => _inner = inner;

    public string Path => _inner.Name;

    public override bool CanRead => _inner.CanRead;

    public override bool CanSeek => _inner.CanSeek;

    public override bool CanWrite => _inner.CanWrite;

    public override long Length => _inner.Length;

    public override long Position
    {
        get => _inner.Position;
        set => _inner.Position = value;
    }

    public override void Flush() => _inner.Flush(flushToDisk: true);

    public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

    public override int Read(Span<byte> buffer) => _inner.Read(buffer);

    public override long Seek(long offset, SeekOrigin origin) => _inner.Seek(offset, origin);

    public override void SetLength(long value) => _inner.SetLength(value);

    public override void Write(byte[] buffer, int offset, int count) => _inner.Write(buffer, offset, count);

    public override void Write(ReadOnlySpan<byte> buffer) => _inner.Write(buffer);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
