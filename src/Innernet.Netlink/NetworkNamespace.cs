using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text;
using System.Threading;
using Innernet.Netlink.Errors;
using static Tmds.Linux.LibC;

namespace Innernet.Netlink;

/// <summary>
/// Runs code inside another network namespace. A netlink socket belongs to the namespace of the thread
/// that created it, for its whole life: a <see cref="Route.RouteNetlinkClient"/> or WireGuard control created
/// inside <see cref="Run{T}(string, Func{T})"/> keeps operating on that namespace from any thread afterwards.
/// </summary>
/// <example>
/// <code>
/// using var client = NetworkNamespace.Run("/run/netns/blue", () => new RouteNetlinkClient());
/// var links = client.GetLinks(); // links of namespace "blue"
/// </code>
/// </example>
[SupportedOSPlatform("linux")]
public static class NetworkNamespace
{
    /// <summary>
    /// Runs <paramref name="action"/> on a new dedicated thread that first joins the network namespace at
    /// <paramref name="netnsPath"/> (<c>setns(open(path), CLONE_NEWNET)</c>), waits for it and returns its result.
    /// The calling thread's namespace is never changed. Exceptions thrown by <paramref name="action"/>
    /// propagate to the caller with their original stack trace. Needs <c>CAP_SYS_ADMIN</c>.
    /// </summary>
    /// <param name="netnsPath">A namespace file, e.g. <c>/run/netns/name</c> or <c>/proc/PID/ns/net</c>.</param>
    /// <param name="action">The code to run inside the namespace.</param>
    /// <exception cref="NetlinkException">The namespace could not be opened or joined (errno in the exception).</exception>
    public static T Run<T>(string netnsPath, Func<T> action)
    {
        ArgumentException.ThrowIfNullOrEmpty(netnsPath);
        ArgumentNullException.ThrowIfNull(action);

        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                Enter(netnsPath);
                result = action();
            }
#pragma warning disable CA1031 // Not swallowed: captured and rethrown on the calling thread below.
            catch (Exception e)
#pragma warning restore CA1031
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        })
        {
            IsBackground = true,
            Name = "netns " + System.IO.Path.GetFileName(netnsPath),
        };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result;
    }

    /// <summary>Runs <paramref name="action"/> inside the namespace at <paramref name="netnsPath"/>; see <see cref="Run{T}(string,
    /// Func{T})"/>.</summary>
    /// <exception cref="NetlinkException">The namespace could not be opened or joined.</exception>
    public static void Run(string netnsPath, Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        Run(netnsPath, () =>
        {
            action();
            return true;
        });
    }

    private static unsafe void Enter(string netnsPath)
    {
        byte[] path = Encoding.UTF8.GetBytes(netnsPath + "\0");
        int fd;
        fixed (byte* p = path)
        {
            fd = open(p, O_RDONLY | O_CLOEXEC, 0);
        }

        if (fd < 0)
        {
            ThrowHelper.ThrowSystemCall($"open({netnsPath})", Marshal.GetLastPInvokeError());
        }

        try
        {
            if (setns(fd, CLONE_NEWNET) != 0)
            {
                ThrowHelper.ThrowSystemCall($"setns({netnsPath}, CLONE_NEWNET)", Marshal.GetLastPInvokeError());
            }
        }
        finally
        {
            _ = close(fd);
        }
    }
}
