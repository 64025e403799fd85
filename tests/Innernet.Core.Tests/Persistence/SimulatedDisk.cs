namespace Innernet.Core.Tests.Persistence;

/// <summary>
/// A disk for crash tests: files whose <see cref="Stream.Flush()"/> is fsync. Every write and truncation is
/// recorded as pending until the next flush of its file; <see cref="CutPowerAfter"/> makes the n-th disk
/// operation (and everything after it) fail as a dead machine would, and <see cref="SimulatedFile.AfterPowerCut"/>
/// builds what a reboot finds: the flushed contents plus whatever subset of the pending operations the
/// <see cref="CrashMode"/> lets through.
/// </summary>
internal sealed class SimulatedDisk
{
    private long _operationsLeft = long.MaxValue;

    public bool IsPoweredOff { get; private set; }

    /// <summary>Operations (writes, truncations, flushes) issued so far.</summary>
    public long Operations { get; private set; }

    /// <summary>The next <paramref name="operations"/> operations succeed; the one after cuts the power.</summary>
    public void CutPowerAfter(long operations) => _operationsLeft = operations;

    public SimulatedFile NewFile() => new(this, []);

    /// <summary>Called before every operation; throws once the power is off.</summary>
    internal void Tick()
    {
        if (IsPoweredOff || _operationsLeft-- <= 0)
        {
            IsPoweredOff = true;
            throw new PowerCutException();
        }

        Operations++;
    }

    internal void CheckPower()
    {
        if (IsPoweredOff)
        {
            throw new PowerCutException();
        }
    }
}

/// <summary>What happens to operations not yet flushed when the power goes.</summary>
internal enum CrashMode
{
    /// <summary>All of them are lost.</summary>
    LoseAll,

    /// <summary>They reach the disk in order up to some point; the write at that point is torn at a sector boundary.</summary>
    InOrderPrefix,

    /// <summary>Each 512-byte sector of each pending write (and each truncation) independently lands or not.</summary>
    RandomSectors,
}

/// <summary>An IOException, as a failing disk gives; LiteDB closes its engine on IOException.</summary>
internal sealed class PowerCutException : IOException
{
    public PowerCutException()
        : base("Simulated power cut.")
    {
    }
}

/// <summary>One file of a <see cref="SimulatedDisk"/>: what the OS shows (<c>_visible</c>) and what is on the platter.</summary>
internal sealed class SimulatedFile : Stream
{
    public const int SectorSize = 512;

    private readonly SimulatedDisk _disk;
    private readonly MemoryStream _visible = new();
    private readonly List<(long Offset, byte[]? Bytes, long Length)> _pending = [];
    private readonly MemoryStream _durable = new();

    internal SimulatedFile(SimulatedDisk disk, byte[] contents)
    {
        _disk = disk;
        _durable.Write(contents);
        _visible.Write(contents);
        _visible.Position = 0;
    }

    /// <summary>Writes and truncations not yet flushed.</summary>
    public int PendingOperations => _pending.Count;

    public int Flushes { get; private set; }

    /// <summary>Runs at the start of every <see cref="Flush"/> (a test can hold a commit inside its sync).</summary>
    public Action? BeforeFlush { get; set; }

    /// <summary>Runs with the bytes of every write before it is recorded (a test can fail chosen writes).</summary>
    public Action<byte[]>? BeforeWrite { get; set; }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => true;

    public override long Length => _visible.Length;

    public override long Position
    {
        get => _visible.Position;
        set => _visible.Position = value;
    }

    public override void Flush()
    {
        BeforeFlush?.Invoke();
        _disk.Tick();
        foreach (var (offset, bytes, length) in _pending)
        {
            if (bytes is null)
            {
                _durable.SetLength(length);
            }
            else
            {
                ApplySectors(_durable, offset, bytes, int.MaxValue, null);
            }
        }

        _pending.Clear();
        Flushes++;
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        _disk.CheckPower();
        return _visible.Read(buffer, offset, count);
    }

    public override long Seek(long offset, SeekOrigin origin) => _visible.Seek(offset, origin);

    public override void SetLength(long value)
    {
        _disk.Tick();
        _pending.Add((value, null, value));
        _visible.SetLength(value);
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        var bytes = buffer.AsSpan(offset, count).ToArray();
        BeforeWrite?.Invoke(bytes);
        _disk.Tick();
        _pending.Add((_visible.Position, bytes, 0));
        _visible.Write(buffer, offset, count);
    }

    /// <summary>The file as the next boot finds it, on a new disk that is powered on.</summary>
    public SimulatedFile AfterPowerCut(SimulatedDisk newDisk, CrashMode mode, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var image = new MemoryStream();
        _durable.Position = 0;
        _durable.CopyTo(image);
        int prefix = mode == CrashMode.InOrderPrefix ? random.Next(_pending.Count + 1) : 0;
        for (int i = 0; i < _pending.Count && mode != CrashMode.LoseAll; i++)
        {
            var (offset, bytes, length) = _pending[i];
            if (mode == CrashMode.InOrderPrefix && i > prefix)
            {
                break;
            }

            bool torn = mode == CrashMode.InOrderPrefix && i == prefix;
            if (bytes is null)
            {
                if (!torn && (mode != CrashMode.RandomSectors || random.Next(2) == 0))
                {
                    image.SetLength(length);
                }

                continue;
            }

            int keepSectors = torn ? random.Next(SectorCount(offset, bytes.Length) + 1) : int.MaxValue;
            ApplySectors(image, offset, bytes, keepSectors, mode == CrashMode.RandomSectors ? random : null);
        }

        return new SimulatedFile(newDisk, image.ToArray());
    }

    private static int SectorCount(long offset, int length)
        => (int)(((offset + length + SectorSize - 1) / SectorSize) - (offset / SectorSize));

    /// <summary>
    /// Applies the first <paramref name="keepSectors"/> sectors of a write, each with probability ½ when
    /// <paramref name="random"/> is given.
    /// </summary>
    private static void ApplySectors(MemoryStream image, long offset, byte[] bytes, int keepSectors, Random? random)
    {
        int done = 0;
        for (int sector = 0; done < bytes.Length && sector < keepSectors; sector++)
        {
            int take = (int)Math.Min(bytes.Length - done, SectorSize - ((offset + done) % SectorSize));
            if (random is null || random.Next(2) == 0)
            {
                if (image.Length < offset + done)
                {
                    image.SetLength(offset + done);
                }

                image.Position = offset + done;
                image.Write(bytes, done, take);
            }

            done += take;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _visible.Dispose();
            _durable.Dispose();
        }

        base.Dispose(disposing);
    }
}
