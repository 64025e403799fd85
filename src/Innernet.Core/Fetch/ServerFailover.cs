using Innernet.Core.Api;
using Innernet.Core.Model;

namespace Innernet.Core.Fetch;

/// <summary>
/// When and where a client moves the server peer's WireGuard endpoint between server replicas. The replicas share the
/// server's key and overlay address, so only the endpoint changes; the candidates are the endpoints the server
/// announced last (the one that worked last first) and the config's endpoint. The timing runs on a
/// <see cref="TimeProvider"/>: a move is allowed at most once per <see cref="SettleTime"/> (the new endpoint needs a
/// handshake and a request before it can be judged), and a server peer whose latest handshake is older than
/// <see cref="HandshakeBound"/> counts as unreachable.
/// </summary>
public sealed class ServerFailover
{
    /// <summary>The default <see cref="SettleTime"/>.</summary>
    public static readonly TimeSpan DefaultSettleTime = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The default <see cref="HandshakeBound"/>: WireGuard renews a session in use every 120 s and refuses one older than
    /// 180 s, so an older handshake means the endpoint has not answered for a while.
    /// </summary>
    public static readonly TimeSpan DefaultHandshakeBound = TimeSpan.FromSeconds(180);

    private readonly TimeProvider _time;
    private DateTimeOffset? _lastMove;

    /// <summary>Failover timing on <paramref name="time"/> (the system clock when null).</summary>
    public ServerFailover(TimeProvider? time = null) => _time = time ?? TimeProvider.System;

    /// <summary>How long after a move no other move is made.</summary>
    public TimeSpan SettleTime { get; init; } = DefaultSettleTime;

    /// <summary>The default <see cref="AttemptTimeout"/>.</summary>
    public static readonly TimeSpan DefaultAttemptTimeout = TimeSpan.FromSeconds(4);

    /// <summary>How long a state request may take before the next replica is tried (when there is one).</summary>
    public TimeSpan AttemptTimeout { get; init; } = DefaultAttemptTimeout;

    /// <summary>A latest handshake older than this means the server peer's endpoint is not answering.</summary>
    public TimeSpan HandshakeBound { get; init; } = DefaultHandshakeBound;

    /// <summary>
    /// The default <see cref="StreamKeepAlive"/>: a first probe after 2 s of silence, then one a second, and the connection
    /// is given up after 3 unanswered ones, so about 5 s after the replica's host stopped answering.
    /// </summary>
    public static readonly TcpKeepAlive DefaultStreamKeepAlive = new(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), 3);

    /// <summary>
    /// The keepalive probes on the held state stream while another replica is known. A replica whose host vanishes sends
    /// no reset, and the stream would otherwise be given up only at its idle bound (minutes); with one server only there
    /// is nowhere to move, so no probes are sent.
    /// </summary>
    public TcpKeepAlive StreamKeepAlive { get; init; } = DefaultStreamKeepAlive;

    /// <summary>
    /// The endpoints to try, in order: <paramref name="known"/> (the last one that worked first), then
    /// <paramref name="configured"/> when it is not among them.
    /// </summary>
    public static IReadOnlyList<Endpoint> Candidates(Endpoint configured, IReadOnlyList<Endpoint> known)
    {
        ArgumentNullException.ThrowIfNull(configured);
        ArgumentNullException.ThrowIfNull(known);
        return known.Contains(configured) ? known : [.. known, configured];
    }

    /// <summary>
    /// The endpoint after <paramref name="current"/> in <paramref name="candidates"/> (the first when
    /// <paramref name="current"/> is not among them), or null when there is no other one or the last move was less than
    /// <see cref="SettleTime"/> ago. A non-null answer counts as a move.
    /// </summary>
    public Endpoint? Next(IReadOnlyList<Endpoint> candidates, Endpoint current)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(current);
        var now = _time.GetUtcNow();
        if (_lastMove is { } last && now - last < SettleTime)
        {
            return null;
        }

        int index = IndexOf(candidates, current);
        var next = candidates.Count == 0 ? null : candidates[index < 0 ? 0 : (index + 1) % candidates.Count];
        if (next is null || next == current)
        {
            return null;
        }

        _lastMove = now;
        return next;
    }

    /// <summary>
    /// True when the server peer looks unreachable: its latest handshake (null: none yet) is older than
    /// <see cref="HandshakeBound"/>, counted from <paramref name="since"/> (when the endpoint was set) when that is later.
    /// </summary>
    public bool IsStale(DateTimeOffset? lastHandshake, DateTimeOffset since)
    {
        var reference = lastHandshake is { } handshake && handshake > since ? handshake : since;
        return _time.GetUtcNow() - reference > HandshakeBound;
    }

    internal static int IndexOf(IReadOnlyList<Endpoint> candidates, Endpoint endpoint)
    {
        for (int i = 0; i < candidates.Count; i++)
        {
            if (candidates[i] == endpoint)
            {
                return i;
            }
        }

        return -1;
    }
}
