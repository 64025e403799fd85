using System.IO;
using System.Runtime.InteropServices;
using static Tmds.Linux.LibC;

namespace Innernet.Core.Persistence;

/// <summary>
/// A file stream whose <see cref="Flush"/> reaches the disk. LiteDB, handed streams rather than file names,
/// calls plain <see cref="Stream.Flush()"/> where it wants durability (after a checkpoint into the data file),
/// which for a <see cref="FileStream"/> stops at the OS cache. It does not flush the log at commit at all;
/// <see cref="WriteAheadLogStream"/> does that on top of this stream. Owns the file stream.
/// </summary>
/// <remarks>
/// The flush is fdatasync: the contents and the length (what a reader after a crash needs) reach the disk, the
/// modification time need not. A commit overwrites one byte of an already synced page (the confirm flag), and
/// skipping the timestamp spares that second sync a file-system journal commit, which on a busy disk waits
/// for everybody else's dirty data.
/// </remarks>
internal sealed class SyncedFileStream : ForwardingStream
{
    private readonly FileStream _file;

    public SyncedFileStream(FileStream inner)
        : base(inner) => _file = inner;

    public string Path => _file.Name;

    public override void Flush()
    {
        _file.Flush();
        var handle = _file.SafeFileHandle;
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            if (fdatasync(handle.DangerousGetHandle().ToInt32()) != 0)
            {
                throw new IOException(
                    $"Cannot sync '{_file.Name}' to disk: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _file.Dispose();
        }

        base.Dispose(disposing);
    }
}
