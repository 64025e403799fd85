namespace Innernet.Netlink.Uapi;

/// <summary>
/// The errno values the UAPI backend reports or classifies (Linux numbering,
/// <c>asm-generic/errno-base.h</c> and <c>asm-generic/errno.h</c>). Kept here rather than taken from
/// Tmds.LibC so the UAPI path loads on macOS, where Tmds.LibC has no runtime assembly.
/// </summary>
internal static class UapiErrno
{
    /// <summary>No such file or directory.</summary>
    public const int ENOENT = 2;

    /// <summary>I/O error.</summary>
    public const int EIO = 5;

    /// <summary>Permission denied.</summary>
    public const int EACCES = 13;

    /// <summary>Invalid argument.</summary>
    public const int EINVAL = 22;

    /// <summary>Protocol error: malformed reply, missing <c>errno=</c> line.</summary>
    public const int EPROTO = 71;

    /// <summary>Message too long: the reply exceeded the configured cap.</summary>
    public const int EMSGSIZE = 90;

    /// <summary>Operation not supported (rtnetlink "Unknown device type").</summary>
    public const int EOPNOTSUPP = 95;

    /// <summary>Connection timed out: no complete reply within the operation timeout.</summary>
    public const int ETIMEDOUT = 110;

    /// <summary>Connection refused: a stale socket with no listener.</summary>
    public const int ECONNREFUSED = 111;
}
