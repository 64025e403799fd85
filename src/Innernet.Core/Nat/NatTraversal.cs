using System.Threading;
using System.Threading.Tasks;
using Innernet.Core.Model;
using Innernet.Core.Sync;
using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Nat;

/// <summary>
/// innernet's ICE-inspired NAT traversal. Each peer's candidate list is cut to 10, its server-reported
/// endpoint is moved to position 0, and candidates are popped from the END: one candidate per peer per 5 s step,
/// all set in one device update, then connectivity is polled every 100 ms until every peer has connected
/// (handshake within 180 s), disappeared or run out of candidates. The server-reported endpoint is therefore
/// tried last and is what stays configured when nothing works. Peers with a local endpoint override are not
/// traversed. Clock and sleeping are injected so tests run instantly.
/// A step's update holds only the peers whose endpoint it changes (a candidate the device already has is tried
/// without being set again). Each poll reads the whole device, which at thousands of peers costs tens of
/// milliseconds of our CPU and the WireGuard implementation's: polls are spaced so that reading takes at most
/// about a tenth of the time (<see cref="PollInterval"/> at least).
/// </summary>
public sealed class NatTraversal
{
    /// <summary>Time given to each round of candidates (and, from the interface update, to the first endpoints).</summary>
    public static readonly TimeSpan StepInterval = TimeSpan.FromSeconds(5);

    /// <summary>How often connectivity is re-checked within a step (at most; see <see cref="PollReadFactor"/>).</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>A poll waits at least this many times as long as the last device read took.</summary>
    public const int PollReadFactor = 10;

    private readonly INatDevice _device;
    private readonly TimeProvider _time;
    private readonly Func<TimeSpan, CancellationToken, Task> _delay;
    private readonly Func<Endpoint, IPEndPoint?> _resolve;
    private TimeSpan _lastRead;

    /// <param name="device">The device to read and update.</param>
    /// <param name="time">The clock (handshake ages, step deadlines).</param>
    /// <param name="delay">Sleeps; default <see cref="Task.Delay(TimeSpan, TimeProvider, CancellationToken)"/> on <paramref
    /// name="time"/>.</param>
    /// <param name="resolve">Endpoint to socket address; default IP literals only.</param>
    public NatTraversal(
        INatDevice device,
        TimeProvider? time = null,
        Func<TimeSpan, CancellationToken, Task>? delay = null,
        Func<Endpoint, IPEndPoint?>? resolve = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        _device = device;
        _time = time ?? TimeProvider.System;
        _delay = delay ?? ((span, ct) => Task.Delay(span, _time, ct));
        _resolve = resolve ?? (static e => e.TryGetIPEndPoint());
    }

    /// <summary>
    /// The candidates of <paramref name="peer"/> in the order they are stored (tried from the end): the first
    /// 10 candidates without the endpoint, with the endpoint inserted at position 0.
    /// </summary>
    public static List<Endpoint> CandidateList(Peer peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        var list = peer.Candidates.Take(NetworkDefaults.MaxCandidates).Where(c => c != peer.Endpoint).ToList();
        if (peer.Endpoint is { } endpoint)
        {
            list.Insert(0, endpoint);
        }

        return list;
    }

    /// <summary>Runs traversal for <paramref name="peers"/> (the new side of the fetch diff).</summary>
    /// <param name="peers">Peers to traverse.</param>
    /// <param name="overriddenIps">Peers with a local endpoint override, which are left alone.</param>
    /// <param name="interfaceUpdatedAt">When the fetch applied its device update (the first wait counts from there).</param>
    /// <param name="log">Progress lines (debug).</param>
    /// <param name="cancellationToken">Stops traversal.</param>
    public async Task<NatTraversalResult> RunAsync(
        IEnumerable<Peer> peers,
        IReadOnlySet<IPAddress> overriddenIps,
        DateTimeOffset interfaceUpdatedAt,
        Action<string>? log = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(peers);
        ArgumentNullException.ThrowIfNull(overriddenIps);
        var remaining = new Dictionary<WireGuardKey, (Peer Peer, List<Endpoint> Candidates)>();
        foreach (var peer in peers)
        {
            if (!overriddenIps.Contains(peer.Ip))
            {
                remaining.TryAdd(peer.PublicKey, (peer, CandidateList(peer)));
            }
        }

        var traversed = remaining.Keys.ToList();
        var attempts = new List<NatAttempt>();
        var endpoints = new Dictionary<WireGuardKey, IPEndPoint?>(remaining.Count);
        int steps = 0;
        var device = Refresh(remaining, endpoints);

        if (remaining.Count > 0)
        {
            var wait = StepInterval - (_time.GetUtcNow() - interfaceUpdatedAt);
            if (wait > TimeSpan.Zero)
            {
                await _delay(wait, cancellationToken).ConfigureAwait(false);
            }
        }

        while (true)
        {
            device = Refresh(remaining, endpoints);
            if (remaining.Count == 0)
            {
                break;
            }

            steps++;
            var update = new DeviceConfig();
            var now = _time.GetUtcNow();
            foreach (var (key, entry) in remaining)
            {
                var candidate = entry.Candidates[^1];
                entry.Candidates.RemoveAt(entry.Candidates.Count - 1);
                if (_resolve(candidate) is { } endpoint)
                {
                    if (!endpoint.Equals(endpoints.GetValueOrDefault(key)))
                    {
                        update.Peers.Add(new PeerConfig { PublicKey = key, UpdateOnly = true, Endpoint = endpoint });
                    }

                    attempts.Add(new NatAttempt(key, entry.Peer.Name, endpoint, now));
                    log?.Invoke($"NAT traversal: trying {endpoint} for peer {entry.Peer.Name}");
                }
            }

            if (update.Peers.Count > 0)
            {
                _device.Apply(update);
            }

            var stepStart = _time.GetUtcNow();
            while (_time.GetUtcNow() - stepStart < StepInterval)
            {
                device = Refresh(remaining, endpoints);
                if (remaining.Count == 0)
                {
                    break;
                }

                var poll = TimeSpan.FromTicks(Math.Max(PollInterval.Ticks, _lastRead.Ticks * PollReadFactor));
                var left = StepInterval - (_time.GetUtcNow() - stepStart);
                if (left > TimeSpan.Zero)
                {
                    await _delay(poll < left ? poll : left, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        var final = device ?? _device.Read();
        var nowEnd = _time.GetUtcNow();
        var handshakes = ByKey(final);
        var connected = traversed
            .Where(k => handshakes.TryGetValue(k, out var p) && PeerDiff.IsRecentlyConnected(p, nowEnd))
            .ToList();
        return new NatTraversalResult(attempts, connected, steps);
    }

    /// <summary>The device's peers by key (the first of each).</summary>
    private static Dictionary<WireGuardKey, WireGuardPeer> ByKey(WireGuardDevice? device)
    {
        var peers = new Dictionary<WireGuardKey, WireGuardPeer>(device?.Peers.Count ?? 0);
        foreach (var peer in device?.Peers ?? [])
        {
            peers.TryAdd(peer.PublicKey, peer);
        }

        return peers;
    }

    /// <summary>Reads the device and times the read (which spaces the polls).</summary>
    private WireGuardDevice? ReadTimed()
    {
        long start = _time.GetTimestamp();
        var device = _device.Read();
        _lastRead = _time.GetElapsedTime(start);
        return device;
    }

    /// <summary>
    /// Drops peers that are connected, gone from the device or out of candidates, notes the endpoint each peer left has
    /// on the device in <paramref name="endpoints"/>; returns the device read.
    /// </summary>
    private WireGuardDevice? Refresh(
        Dictionary<WireGuardKey, (Peer Peer, List<Endpoint> Candidates)> remaining, Dictionary<WireGuardKey, IPEndPoint?> endpoints)
    {
        if (remaining.Count == 0)
        {
            return null;
        }

        var device = ReadTimed();
        var now = _time.GetUtcNow();
        var onDevice = ByKey(device);
        var done = new List<WireGuardKey>();
        foreach (var (key, entry) in remaining)
        {
            if (!onDevice.TryGetValue(key, out var current)
                || PeerDiff.IsRecentlyConnected(current, now)
                || entry.Candidates.Count == 0)
            {
                done.Add(key);
            }
            else
            {
                endpoints[key] = current.Endpoint;
            }
        }

        foreach (var key in done)
        {
            remaining.Remove(key);
        }

        return device;
    }
}
