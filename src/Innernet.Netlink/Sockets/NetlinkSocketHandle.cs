using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Tmds.Linux;

namespace Innernet.Netlink.Sockets;

/// <summary>Owns a netlink socket file descriptor; <see cref="ReleaseHandle"/> closes it.</summary>
[SupportedOSPlatform("linux")]
internal sealed class NetlinkSocketHandle : SafeHandle
{
    public NetlinkSocketHandle(int fd)
        : base(new IntPtr(-1), ownsHandle: true)
    {
        SetHandle(new IntPtr(fd));
    }

    public override bool IsInvalid => handle == new IntPtr(-1);

    /// <summary>
    /// The one way to use the descriptor: add a reference for the duration of the lease
    /// (<c>using var lease = handle.Borrow();</c>) so a concurrent dispose cannot recycle the fd mid-call.
    /// </summary>
    public Lease Borrow()
    {
        bool added = false;
        DangerousAddRef(ref added);
        return new Lease(this, (int)DangerousGetHandle());
    }

    protected override bool ReleaseHandle() => LibC.close((int)handle) == 0;

    public override string ToString() => $"netlink fd {(int)handle}";

    /// <summary>A borrowed descriptor; dispose to release the reference.</summary>
    internal readonly ref struct Lease
    {
        private readonly NetlinkSocketHandle _owner;

        internal Lease(NetlinkSocketHandle owner, int fd)
        {
            _owner = owner;
            Fd = fd;
        }

        public int Fd { get; }

        public void Dispose() => _owner.DangerousRelease();
    }
}
