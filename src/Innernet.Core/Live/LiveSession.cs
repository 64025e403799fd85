using System.Threading;
using System.Threading.Tasks;
using Innernet.Core.Api;
using Innernet.Core.Client;
using Innernet.Core.Config;
using Innernet.Core.Fetch;
using Innernet.Core.Keys;
using Innernet.Core.Model;
using Innernet.Core.Nat;
using Innernet.Core.Sync;

namespace Innernet.Core.Live;

/// <summary>
/// <c>inn up --daemon</c> for one network (docs/api.md, "Live updates", client): a first fetch as <c>up</c> does,
/// then, where the server offers the state stream, hold it: a full message goes through the fetch path
/// (<see cref="InterfaceFetcher.ApplyStateAsync"/>), a difference through <see cref="LiveView.ApplyAsync"/> (only the
/// changed peers reach WireGuard; NAT traversal starts in the background for changed peers without a recent
/// handshake), the hosts file and the cache are written once per <see cref="FlushDelay"/> window, the whole device
/// is re-checked against the held view every <see cref="Interval"/> so drift heals. A stream that ends or fails is
/// reopened after <see cref="ReconnectBackoff"/> with <c>since</c> = the version held; a gap, a refused difference
/// or a pin violation drops the view, so the next stream starts from a full view. Against a server without the
/// stream (innernet 1.7) it fetches every <see cref="Interval"/> (conditional GET). The mode is kept in the
/// network's <see cref="LiveStatusFile"/>; the version held is kept in its <see cref="LiveResumeFile"/> with each
/// write of the cache, so a daemon started later resumes from it (its view is the first fetch's answer).
/// </summary>
public sealed class LiveSession
{
    private readonly IInterfaceLayer _layer;
    private readonly IClientLog _log;
    private readonly Func<InterfaceConfig, InnernetApiClient> _api;
    private readonly TimeProvider _time;
    private readonly Func<TimeSpan, CancellationToken, Task> _delay;
    private readonly Func<Endpoint, IPEndPoint?> _resolve;
    private readonly ReconnectBackoff _backoff;
    private readonly InterfaceFetcher _fetcher;
    private readonly List<Task> _traversals = [];
    private LiveStatus? _status;
    private string? _keptVersion;

    /// <param name="layer">The device layer; the session uses it from background NAT traversals too, so it must be
    /// thread-safe (<see cref="SynchronizedInterfaceLayer"/>).</param>
    /// <param name="log">Progress output.</param>
    /// <param name="apiFactory">Creates API clients (default <see cref="ApiClientFactory.Default"/>).</param>
    /// <param name="time">The clock and the timers of the held stream (idle deadline, flush, re-check).</param>
    /// <param name="delay">Waits between polls and before reconnecting; default real delays on <paramref name="time"/>.</param>
    /// <param name="resolve">Endpoint resolution (DNS for names).</param>
    /// <param name="random">The reconnect jitter's source.</param>
    public LiveSession(
        IInterfaceLayer layer,
        IClientLog? log = null,
        Func<InterfaceConfig, InnernetApiClient>? apiFactory = null,
        TimeProvider? time = null,
        Func<TimeSpan, CancellationToken, Task>? delay = null,
        Func<Endpoint, IPEndPoint?>? resolve = null,
        Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(layer);
        _layer = layer;
        _log = log ?? NullClientLog.Instance;
        _api = apiFactory ?? ApiClientFactory.Default;
        _time = time ?? TimeProvider.System;
        _delay = delay ?? ((span, ct) => Task.Delay(span, _time, ct));
        _resolve = resolve ?? EndpointResolver.Resolve;
        _backoff = new ReconnectBackoff(random);
        _fetcher = new InterfaceFetcher(layer, _log, _api, _time, _delay, _resolve);
    }

    /// <summary>Between two polls, and between two re-checks of the device while live. Default 60 s.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The hosts file and the cache are written at most this long after the first unwritten change. Default 1 s.</summary>
    public TimeSpan FlushDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A stream held at least this long counts as healthy: the next reconnect waits from the start again.</summary>
    public TimeSpan HealthyAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The view held (null before the first full message and after a resync was forced).</summary>
    public LiveView? View { get; private set; }

    /// <summary>The mode now.</summary>
    public LiveMode Mode => _status?.Mode ?? LiveMode.Connecting;

    /// <summary>How many state streams were opened.</summary>
    public int StreamsOpened { get; private set; }

    /// <summary>How many full messages were applied (the first, and one per resync).</summary>
    public int FullViewsApplied { get; private set; }

    /// <summary>How many differences were applied.</summary>
    public int DifferencesApplied { get; private set; }

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled (returns then) or a fatal error.</summary>
    /// <exception cref="ApiStatusException">The server refused us (401: no longer a member), as a poll would.</exception>
    /// <exception cref="InnernetException">The first fetch failed for another reason than an unreachable server (see
    /// <see cref="InterfaceFetcher.FetchAsync"/>).</exception>
    public async Task RunAsync(FetchRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        string statusPath = LiveStatusFile.PathFor(request.DataDirectory, request.InterfaceName);
        try
        {
            // NAT traversal runs in the background (as for a full message), so the stream opens at once instead of
            // after up to a traversal's steps of 5 s.
            var first = await FirstFetchAsync(request, statusPath, cancellationToken).ConfigureAwait(false);
            var config = InterfaceConfig.Load(ClientPaths.ConfigFile(request.ConfigDirectory, request.InterfaceName)).Config;
            TraverseInBackground(request, config, first.Peers, cancellationToken);
            View = ResumedView(request, config, first);
            while (true)
            {
                var offer = await OffersStreamAsync(config, cancellationToken).ConfigureAwait(false);
                if (offer == StreamOffer.Unknown)
                {
                    // Neither a stream nor a poll can be had now: ask again after the reconnect wait, not a poll interval,
                    // through the next server replica when one is known.
                    SetStatus(statusPath, LiveMode.Connecting, View?.Version);
                    _fetcher.FailOver(request);
                    await _delay(_backoff.Next(), cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (offer == StreamOffer.Offered)
                {
                    _backoff.Reset();
                    await HoldStreamAsync(request, config, statusPath, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                SetStatus(statusPath, LiveMode.Polling, version: null);
                await _delay(Interval, cancellationToken).ConfigureAwait(false);
                var result = await _fetcher.FetchAsync(request, cancellationToken).ConfigureAwait(false);
                if (result.Changes.Any(c => !c.NatReattemptOnly))
                {
                    Touch(statusPath);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            await StopTraversalsAsync().ConfigureAwait(false);
            TryDeleteStatus(statusPath);
        }
    }

    /// <summary>
    /// The view to resume from: the first fetch's answer (when it came from the server) at the version an earlier
    /// daemon kept; null when there is none.
    /// </summary>
    private LiveView? ResumedView(FetchRequest request, InterfaceConfig config, FetchResult first)
    {
        string? version = LiveResumeFile.Read(ClientPaths.ResumeFile(request.DataDirectory, request.InterfaceName));
        if (version is null || first.ServerState is not { } state || _layer.WireGuard.GetDevice(request.InterfaceName) is not { } device)
        {
            return null;
        }

        _keptVersion = version;
        _log.Debug($"resuming the state stream from version {version}, kept by the last run");
        var store = DataStore.Open(ClientPaths.DataFile(request.DataDirectory, request.InterfaceName));
        return new LiveView(request.InterfaceName, config, store, state, version, device, _log);
    }

    /// <summary>
    /// Asks the server whether it offers the stream. No answer (a timeout, a broken tunnel) or an error other than 401
    /// (a restarting server, a proxy) is <see cref="StreamOffer.Unknown"/>: neither polling nor the stream works then.
    /// </summary>
    /// <exception cref="ApiStatusException">401: we are no longer a member.</exception>
    private async Task<StreamOffer> OffersStreamAsync(InterfaceConfig config, CancellationToken cancellationToken)
    {
        using var api = _api(config);
        try
        {
            var capabilities = await api.GetCapabilitiesAsync(cancellationToken).ConfigureAwait(false);
            return capabilities.StateStream >= ServerCapabilities.StateStreamVersion ? StreamOffer.Offered : StreamOffer.NotOffered;
        }
        catch (Exception e) when (e is ApiTransportException or ApiStatusException { StatusCode: not HttpStatusCode.Unauthorized })
        {
            _log.Warning($"cannot ask the server for its capabilities ({e.Message}); asking again soon");
            return StreamOffer.Unknown;
        }
    }

    /// <summary>Holds streams (reconnecting with backoff) until the server stops offering one; then the caller polls.</summary>
    private async Task HoldStreamAsync(FetchRequest request, InterfaceConfig config, string statusPath, CancellationToken cancellationToken)
    {
        while (true)
        {
            var opened = _time.GetUtcNow();
            bool wasOpen = false;
            try
            {
                using var api = _api(config);
                var keepAlive = _fetcher.StreamKeepAlive(request, config);
                var stream = await api.OpenStateStreamAsync(View?.Version, _time, keepAlive, cancellationToken).ConfigureAwait(false);
                await using (stream.ConfigureAwait(false))
                {
                    wasOpen = true;
                    StreamsOpened++;
                    _fetcher.RememberReplicas(request, config, stream.Replicas);
                    opened = _time.GetUtcNow();
                    _log.Debug(View is null ? "state stream opened (full view)" : $"state stream resumed from version {View.Version}");
                    SetStatus(statusPath, LiveMode.Live, View?.Version);
                    await ReadStreamAsync(request, config, stream, statusPath, cancellationToken).ConfigureAwait(false);
                    _log.Debug("the server ended the state stream");
                }
            }
            catch (ApiStatusException e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
                _log.Warning("the server no longer offers the state stream; polling");
                View = null;
                return;
            }
            catch (ApiTransportException e)
            {
                _log.Warning($"state stream: {e.Message}");
                _fetcher.FailOver(request);
            }
            catch (ApiStatusException e) when (e.StatusCode != HttpStatusCode.Unauthorized)
            {
                // A 5xx (a restarting server, a proxy) is worth retrying; a 401 means we are no longer a member.
                _log.Warning($"state stream: {e.Message}");
            }
            catch (Exception e) when (e is ServerAnswerException or PinningException)
            {
                // Nothing of the refused message was applied. Start over from a full view.
                _log.Warning($"ERROR: state stream: {e.Message}");
                View = null;
            }

            var held = _time.GetUtcNow() - opened;
            if (wasOpen && held >= HealthyAfter)
            {
                _backoff.Reset();
            }

            SetStatus(statusPath, LiveMode.Connecting, View?.Version);
            await _delay(_backoff.Next(), cancellationToken).ConfigureAwait(false);
            // Unknown: the stream's own attempt says more (and waits again when it fails).
            if (await OffersStreamAsync(config, cancellationToken).ConfigureAwait(false) == StreamOffer.NotOffered)
            {
                View = null;
                return;
            }
        }
    }

    private async Task ReadStreamAsync(
        FetchRequest request, InterfaceConfig config, StateStreamReader stream, string statusPath, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var nextCheck = _time.GetUtcNow() + Interval;
        DateTimeOffset? flushDue = null;
        DateTimeOffset? keepaliveDue = null;
        var read = stream.ReadAsync(stop.Token);
        try
        {
            while (true)
            {
                var due = flushDue is { } f && f < nextCheck ? f : nextCheck;
                due = keepaliveDue is { } k && k < due ? k : due;
                var wait = due - _time.GetUtcNow();
                if (!read.IsCompleted && wait > TimeSpan.Zero)
                {
                    using var timer = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
                    var timeout = Task.Delay(wait, _time, timer.Token);
                    await Task.WhenAny(read, timeout).ConfigureAwait(false);
                    await timer.CancelAsync().ConfigureAwait(false);
                }

                if (read.IsCompleted)
                {
                    var update = await read.ConfigureAwait(false);
                    if (update is null)
                    {
                        return;
                    }

                    if (!await ApplyAsync(request, config, update, cancellationToken).ConfigureAwait(false))
                    {
                        return;
                    }

                    Touch(statusPath);
                    // The hosts file and the cache when they changed; the resume version whenever it did.
                    flushDue ??= View is { } held && (held.HasUnflushedChanges || held.Version != _keptVersion)
                        ? _time.GetUtcNow() + FlushDelay
                        : null;
                    keepaliveDue ??= View is { HasDeferredKeepalives: true } ? _time.GetUtcNow() + LiveView.KeepaliveDeferral : null;
                    read = stream.ReadAsync(stop.Token);
                    continue;
                }

                var now = _time.GetUtcNow();
                if (keepaliveDue is { } keepalive && now >= keepalive)
                {
                    ApplyDeferredKeepalives();
                    keepaliveDue = null;
                }

                if (flushDue is { } flush && now >= flush)
                {
                    FlushView(request);
                    flushDue = null;
                }

                if (now >= nextCheck)
                {
                    Recheck(request, config);
                    nextCheck = now + Interval;
                }
            }
        }
        finally
        {
            ApplyDeferredKeepalives();
            FlushView(request);
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await read.ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ApiTransportException)
            {
                // The read was abandoned with the stream.
            }
        }
    }

    /// <summary>Applies one message; false when the stream must be dropped (a gap).</summary>
    private async Task<bool> ApplyAsync(
        FetchRequest request, InterfaceConfig config, StateUpdate update, CancellationToken cancellationToken)
    {
        _log.Debug(update.Full
            ? $"state stream: full view {update.Version}, {update.Peers.Count} peers"
            : $"state stream: difference {update.Since} -> {update.Version}, {update.Peers.Count} changed, {update.Removed.Count} removed");
        if (update.Full)
        {
            var state = new State(update.Peers, update.Cidrs ?? []);
            View = null;
            // NAT traversal of a full view runs in the background too, so the stream is read on meanwhile.
            var fullRequest = WithoutTraversal(request) with { BringUp = true };
            var applied = await _fetcher.ApplyStateAsync(fullRequest, state, cancellationToken).ConfigureAwait(false);
            var device = _layer.WireGuard.GetDevice(request.InterfaceName)
                ?? throw new InnernetException($"Interface {request.InterfaceName} disappeared while it was being configured.");
            var store = DataStore.Open(ClientPaths.DataFile(request.DataDirectory, request.InterfaceName), config.Server.PublicKey);
            View = new LiveView(request.InterfaceName, config, store, state, update.Version, device, _log);
            FullViewsApplied++;
            TraverseInBackground(request, config, applied.Peers, cancellationToken);
            return true;
        }

        if (View is null)
        {
            _log.Warning("the state stream sent a difference before any full view; resynchronising");
            return false;
        }

        var result = await View.ApplyAsync(update, _layer.WireGuard, _time.GetUtcNow(), _resolve, _fetcher.LookupTimeout, cancellationToken)
            .ConfigureAwait(false);
        if (result.Gap)
        {
            _log.Warning($"the state stream skipped from version {View.Version} to a difference since {update.Since}; resynchronising");
            View = null;
            return false;
        }

        DifferencesApplied++;
        var diff = result.Diff!;
        foreach (var change in diff.Changes.Where(c => !c.NatReattemptOnly))
        {
            _log.Info(change.Summary);
        }

        if (!request.Nat.NoTraversal && diff.NatTraversalPeers.Count > 0)
        {
            StartTraversal(request, config, diff.NatTraversalPeers, cancellationToken);
        }

        return true;
    }

    private static FetchRequest WithoutTraversal(FetchRequest request) => request with { Nat = request.Nat with { NoTraversal = true } };

    /// <summary>
    /// Starts NAT traversal in the background for the peers of a whole state just applied (<paramref name="peers"/>,
    /// overrides applied) that need it, unless the request turned traversal off.
    /// </summary>
    private void TraverseInBackground(
        FetchRequest request, InterfaceConfig config, IReadOnlyList<Peer> peers, CancellationToken cancellationToken)
    {
        if (request.Nat.NoTraversal || _layer.WireGuard.GetDevice(request.InterfaceName) is not { } device)
        {
            return;
        }

        var pending = PeerDiff.Compute(peers, device, WireGuardKeys.GetPublicKey(config.Interface.PrivateKey), _time.GetUtcNow(), _resolve);
        if (pending.NatTraversalPeers.Count > 0)
        {
            StartTraversal(request, config, pending.NatTraversalPeers, cancellationToken);
        }
    }

    /// <summary>Re-checks the whole device against the held view (drift, handshakes), as a fetch's diff would.</summary>
    private void Recheck(FetchRequest request, InterfaceConfig config)
    {
        if (View is null || _layer.WireGuard.GetDevice(request.InterfaceName) is not { } device)
        {
            return;
        }

        var peers = EndpointOverrides.Apply(View.ToState().Peers, config.PeerEndpointOverrides);
        var diff = PeerDiff.Compute(peers, device, WireGuardKeys.GetPublicKey(config.Interface.PrivateKey), _time.GetUtcNow(), _resolve);
        var updates = diff.Config.Peers.Count;
        if (updates > 0)
        {
            _log.Info($"the device drifted from the held view; re-applying {updates} peers");
            _layer.WireGuard.ConfigureDevice(request.InterfaceName, diff.Config);
            device = _layer.WireGuard.GetDevice(request.InterfaceName) ?? device;
        }

        View.Refresh(device);
    }

    /// <summary>Turns on the keepalives the view held back for peers new to this one (<see cref="LiveView"/>, remarks).</summary>
    private void ApplyDeferredKeepalives()
    {
        try
        {
            if (View is { HasDeferredKeepalives: true } view && view.ApplyDeferredKeepalives(_layer.WireGuard) is > 0 and var count)
            {
                _log.Debug($"turned on the keepalive of {count} new peer(s)");
            }
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            // The re-check every Interval sets it (the device lacks the keepalive the view asks for).
            _log.Warning($"could not turn on the keepalive of new peers: {e.Message}");
        }
    }

    private void FlushView(FetchRequest request)
    {
        try
        {
            if (View?.Flush(request.Hosts) is true)
            {
                _log.Debug("wrote the hosts file and the peer cache");
            }

            // After the cache, so a kept version never runs ahead of what this run wrote.
            if (View is { } view && view.Version != _keptVersion)
            {
                LiveResumeFile.Write(ClientPaths.ResumeFile(request.DataDirectory, request.InterfaceName), view.Version);
                _keptVersion = view.Version;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.Warning($"could not write the hosts file or the peer cache: {e.Message}");
        }
    }

    private void StartTraversal(
        FetchRequest request, InterfaceConfig config, IReadOnlyList<Peer> peers, CancellationToken cancellationToken)
    {
        _traversals.RemoveAll(t => t.IsCompleted);
        var traversal = new NatTraversal(new WireGuardNatDevice(_layer.WireGuard, request.InterfaceName), _time, _delay, _resolve);
        var skip = config.PeerEndpointOverrides.Keys.ToHashSet();
        _traversals.Add(Task.Run(
            async () =>
            {
                try
                {
                    await traversal.RunAsync(peers, skip, _time.GetUtcNow(), _log.Debug, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    _log.Warning($"NAT traversal failed: {e.Message}");
                }
            },
            CancellationToken.None));
    }

    private async Task StopTraversalsAsync()
    {
        try
        {
            await Task.WhenAll(_traversals).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Cancelled with the session.
        }
    }

    /// <summary>
    /// The first fetch, asked again after the reconnect wait while the server cannot be reached and no peers are cached
    /// (a fresh install whose tunnel is not up yet, a server restarting): a daemon keeps trying, as it does for the
    /// stream, instead of exiting. Every other failure (refused, a hostile answer, a bad config) is fatal as before.
    /// </summary>
    private async Task<FetchResult> FirstFetchAsync(FetchRequest request, string statusPath, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                var first = await _fetcher.FetchAsync(WithoutTraversal(request), cancellationToken).ConfigureAwait(false);
                _backoff.Reset();
                return first;
            }
            catch (InnernetException e) when (e.InnerException is ApiTransportException)
            {
                var wait = _backoff.Next();
                _log.Warning($"{e.Message} Trying again in {wait.TotalSeconds:0.#} s.");
                SetStatus(statusPath, LiveMode.Connecting, version: null);
                await _delay(wait, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private void SetStatus(string path, LiveMode mode, string? version)
    {
        var now = _time.GetUtcNow();
        _status = _status is { } old && old.Mode == mode
            ? old with { Version = version }
            : new LiveStatus(LiveStatusFile.CurrentPid, mode, now, _status?.LastUpdate, version);
        WriteStatus(path);
    }

    private void Touch(string path)
    {
        if (_status is { } status)
        {
            _status = status with { LastUpdate = _time.GetUtcNow(), Version = View?.Version };
            WriteStatus(path);
        }
    }

    private void WriteStatus(string path)
    {
        try
        {
            LiveStatusFile.Write(path, _status!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.Warning($"could not write '{path}': {e.Message}");
        }
    }

    private void TryDeleteStatus(string path)
    {
        try
        {
            LiveStatusFile.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.Warning($"could not delete '{path}': {e.Message}");
        }
    }
}
