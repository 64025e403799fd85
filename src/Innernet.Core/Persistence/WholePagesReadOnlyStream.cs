using System.IO;

namespace Innernet.Core.Persistence;

/// <summary>
/// A database or log file as a reader hands it to LiteDB: read-only, and only its whole pages. LiteDB cuts a torn last
/// page off a file it opens (a crash mid-append leaves one at the end of the log) by truncating the file; here the torn
/// bytes are simply not shown, so nothing has to be written. Any write LiteDB attempts (its checkpoint at close, which
/// it tries even when opened read-only) fails with <see cref="NotSupportedException"/>, and the file itself is open
/// read-only. Owns the file stream.
/// </summary>
internal sealed class WholePagesReadOnlyStream : ForwardingStream
{
    public WholePagesReadOnlyStream(FileStream inner)
        : base(inner)
    {
    }

    public override bool CanWrite => false;

    public override long Length => Inner.Length - (Inner.Length % LiteDbLayout.PageSize);

    public override void Flush()
    {
        // Nothing is ever written.
    }

    public override void SetLength(long value) => throw ReadOnly();

    public override void Write(byte[] buffer, int offset, int count) => throw ReadOnly();

    public override void Write(ReadOnlySpan<byte> buffer) => throw ReadOnly();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private static NotSupportedException ReadOnly() => new("The database is open read-only.");
}
