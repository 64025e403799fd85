using System.Net.Sockets;

namespace Innernet.Core.Api;

/// <summary>
/// TCP keepalive probes on a connection that may stay silent for long (the state stream between heartbeats): after
/// <see cref="Idle"/> without traffic the kernel sends a probe every <see cref="Interval"/>, and after
/// <see cref="Probes"/> unanswered ones it resets the connection, so a read on it fails. A peer whose host vanished
/// (no RST, no FIN) is noticed in about <c>Idle + Probes × Interval</c> instead of at the stream's idle bound. Each
/// probe is one small packet the server's kernel answers; nothing reaches the server process.
/// </summary>
/// <param name="Idle">Silence before the first probe (whole seconds, at least 1).</param>
/// <param name="Interval">Time between unanswered probes (whole seconds, at least 1).</param>
/// <param name="Probes">Unanswered probes after which the connection is reset (at least 1).</param>
public sealed record TcpKeepAlive(TimeSpan Idle, TimeSpan Interval, int Probes)
{
    /// <summary>At most this long from the last traffic until a vanished peer's connection is reset.</summary>
    public TimeSpan DeadAfter => Idle + Interval * Probes;

    /// <summary>Turns the probes on for <paramref name="socket"/> (a connected or connecting TCP socket).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is below its minimum.</exception>
    /// <exception cref="SocketException">The kernel refused an option.</exception>
    public void Apply(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        int idle = WholeSeconds(Idle, nameof(Idle));
        int interval = WholeSeconds(Interval, nameof(Interval));
        ArgumentOutOfRangeException.ThrowIfLessThan(Probes, 1, nameof(Probes));
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, idle);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, interval);
        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, Probes);
    }

    private static int WholeSeconds(TimeSpan value, string name)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.FromSeconds(1), name);
        return (int)Math.Ceiling(value.TotalSeconds);
    }
}
