using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Innernet.Server.Tests.Support;

/// <summary>
/// Runs one blocking socket operation as another user from inside this (root) test process: a dedicated thread
/// changes only its own effective uid with the raw setresuid system call (the glibc wrapper would change every
/// thread of the process), does the operation, and changes back. Linux keeps credentials per thread, and a Unix
/// socket's peer credentials are taken from the thread that calls connect().
/// </summary>
internal static partial class OtherUser
{
    /// <summary>The unprivileged "nobody" user.</summary>
    public const uint Nobody = 65534;

    /// <summary>Connects a new Unix stream socket to <paramref name="path"/> with effective uid <paramref name="uid"/>.</summary>
    /// <exception cref="SocketException">connect() failed (as that user).</exception>
    public static Socket ConnectUnix(string path, uint uid)
    {
        Socket? connected = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                SetEffectiveUid(uid);
                try
                {
                    socket.Connect(new UnixDomainSocketEndPoint(path));
                }
                finally
                {
                    SetEffectiveUid(0);
                }

                connected = socket;
            }
            catch (Exception e) when (e is SocketException or InvalidOperationException)
            {
                socket.Dispose();
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        return connected ?? throw failure!;
    }

    /// <summary>True where the setresuid system call number is known (x86-64, arm64).</summary>
    public static bool IsSupported => SetResUidNumber is not null;

    private static long? SetResUidNumber => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 117,
        Architecture.Arm64 => 147,
        _ => null,
    };

    private static void SetEffectiveUid(uint uid)
    {
        // -1 keeps the real and saved uid (root), so the thread can change back.
        if (Syscall(SetResUidNumber!.Value, -1, uid, -1) != 0)
        {
            throw new InvalidOperationException($"setresuid(-1, {uid}, -1) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, long ruid, long euid, long suid);
}
