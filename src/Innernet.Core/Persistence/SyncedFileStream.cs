using System.IO;

namespace Innernet.Core.Persistence;

/// <summary>
/// A file stream whose <see cref="Flush"/> reaches the disk (fsync). LiteDB, handed streams rather than file
/// names, calls plain <see cref="Stream.Flush()"/> where it wants durability (after a checkpoint into the data
/// file), which for a <see cref="FileStream"/> stops at the OS cache. It does not flush the log at commit at
/// all; <see cref="WriteAheadLogStream"/> does that on top of this stream. Owns the file stream.
/// </summary>
internal sealed class SyncedFileStream : ForwardingStream
{
    private readonly FileStream _file;

    public SyncedFileStream(FileStream inner)
        : base(inner) => _file = inner;

    public string Path => _file.Name;

    public override void Flush() => _file.Flush(flushToDisk: true);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _file.Dispose();
        }

        base.Dispose(disposing);
    }
}
