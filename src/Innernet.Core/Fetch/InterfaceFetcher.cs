using System.Threading;
using System.Threading.Tasks;
using Innernet.Core.Api;
using Innernet.Core.Client;
using Innernet.Core.Config;
using Innernet.Core.Interfaces;
using Innernet.Core.Keys;
using Innernet.Core.Model;
using Innernet.Core.Nat;
using Innernet.Core.Sync;
using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Fetch;

/// <summary>
/// innernet's <c>fetch</c>, used by <c>up</c>, <c>fetch</c> and <c>install</c>: bring the interface up
/// if allowed, get the state from the server (conditionally: on a 304 the answer in the cache is used again; on no
/// answer at all the whole cache), apply the local endpoint overrides, CHECK THE ANSWER
/// (<see cref="ServerAnswerValidator"/>) AND THE PINS, resolve the DNS names in it (bounded,
/// <see cref="EndpointResolver.ResolveAllAsync"/>), apply the peer diff in one device update, write the hosts file
/// when something changed, save the cache, report NAT candidates and run NAT traversal. Unlike innernet, the pin
/// check happens before anything is applied, so a re-keyed IP never reaches WireGuard.
/// </summary>
public sealed class InterfaceFetcher
{
    private readonly IInterfaceLayer _layer;
    private readonly IClientLog _log;
    private readonly Func<InterfaceConfig, InnernetApiClient> _api;
    private readonly TimeProvider _time;
    private readonly Func<TimeSpan, CancellationToken, Task> _delay;
    private readonly Func<Endpoint, IPEndPoint?> _resolve;

    /// <param name="layer">The device layer.</param>
    /// <param name="log">Progress output.</param>
    /// <param name="apiFactory">Creates the API client (default <see cref="ApiClientFactory.Default"/>).</param>
    /// <param name="time">The clock.</param>
    /// <param name="delay">Sleeps (NAT traversal); default real delays on <paramref name="time"/>.</param>
    /// <param name="resolve">Endpoint resolution; default <see cref="EndpointResolver.Resolve"/> (DNS for names).</param>
    public InterfaceFetcher(
        IInterfaceLayer layer,
        IClientLog? log = null,
        Func<InterfaceConfig, InnernetApiClient>? apiFactory = null,
        TimeProvider? time = null,
        Func<TimeSpan, CancellationToken, Task>? delay = null,
        Func<Endpoint, IPEndPoint?>? resolve = null)
    {
        ArgumentNullException.ThrowIfNull(layer);
        _layer = layer;
        _log = log ?? NullClientLog.Instance;
        _api = apiFactory ?? ApiClientFactory.Default;
        _time = time ?? TimeProvider.System;
        _delay = delay ?? ((span, ct) => Task.Delay(span, _time, ct));
        _resolve = resolve ?? EndpointResolver.Resolve;
        Replicas = new ServerFailover(_time);
    }

    /// <summary>When the server peer's endpoint moves to another replica (<see cref="FailOver"/>).</summary>
    public ServerFailover Replicas { get; init; }

    /// <summary>The deadline of each DNS lookup for the endpoints in the server's answer.</summary>
    public TimeSpan LookupTimeout { get; init; } = EndpointResolver.DefaultLookupTimeout;

    /// <summary>Runs one fetch.</summary>
    /// <exception cref="InnernetException">
    /// The config is missing or invalid, the interface is down and <see cref="FetchRequest.BringUp"/> is false,
    /// the server is unreachable and nothing is cached, the server answered an error, its answer broke a rule
    /// (<see cref="ServerAnswerException"/>) or a pin (<see cref="PinningException"/>); nothing was applied then.
    /// </exception>
    public async Task<FetchResult> FetchAsync(FetchRequest request, CancellationToken cancellationToken = default)
    {
        var (config, device, store) = Prepare(request);
        string name = request.InterfaceName;
        _log.Info($"fetching state for {name} from server...");
        string entityTagPath = ClientPaths.EntityTagFile(request.DataDirectory, name);
        string? entityTag = StateEntityTagFile.Read(entityTagPath, store);
        State state;
        StateAnswer? answer = null;
        bool reachable = true;
        using (var api = _api(config))
        {
            try
            {
                answer = await GetStateFailingOverAsync(request, config, api, entityTag, cancellationToken).ConfigureAwait(false);
                // A 304 means the answer the cache was written from still holds. It is re-checked below like any
                // answer, and the device diff runs as always, so drift on the interface heals.
                state = answer.State ?? CachedAnswer(store);
                if (answer.NotModified)
                {
                    _log.Debug("the server's state is unchanged since the last fetch (304); using the cached peers");
                }
            }
            catch (ApiTransportException e)
            {
                if (store.Peers.Count == 0)
                {
                    throw new InnernetException(
                        $"Could not connect to the innernet server ({e.Message}) and there are no cached peers.", e);
                }

                _log.Warning($"{e.Message}. Using {store.Peers.Count} cached peers instead.");
                state = new State(store.Peers, store.Cidrs);
                reachable = false;
            }
        }

        var result = await ApplyAsync(request, config, device, store, state, answer, reachable, cancellationToken).ConfigureAwait(false);
        if (answer is not null)
        {
            // Only an answer to GET /v1/user/state carries the announcement; a stream's full view leaves the file alone.
            RememberReplicas(request, config, answer.Replicas);
        }

        return result;
    }

    /// <summary>
    /// Applies a whole state the caller received by other means (a full message of the live state stream) exactly as
    /// a fresh answer of <see cref="FetchAsync"/>: answer rules, pins, overrides, the device diff, hosts, the cache
    /// (the conditional-GET tag no longer matches it and is dropped), NAT candidates and traversal.
    /// </summary>
    /// <exception cref="InnernetException">As for <see cref="FetchAsync"/>; nothing was applied then.</exception>
    public async Task<FetchResult> ApplyStateAsync(FetchRequest request, State state, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(state);
        var (config, device, store) = Prepare(request);
        var answer = new StateAnswer(state, null);
        return await ApplyAsync(request, config, device, store, state, answer, reachable: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Loads the config, reads the device (null: it was down, and is brought up when allowed) and opens the cache. For a
    /// device that was up this is the fetch's one read before NAT traversal: at thousands of peers a read is among the
    /// largest costs of a fetch (the UAPI sends every peer as text), and what changes on the device while the request
    /// runs (a handshake, a roamed endpoint) is seen by the next fetch's diff.
    /// </summary>
    private (InterfaceConfig Config, WireGuardDevice? Device, DataStore Store) Prepare(FetchRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        string name = request.InterfaceName;
        string configPath = ClientPaths.ConfigFile(request.ConfigDirectory, name);
        if (!File.Exists(configPath))
        {
            throw new NotFoundException($"Network '{name}' is not installed here: '{configPath}' does not exist.");
        }

        var loaded = InterfaceConfig.Load(configPath);
        foreach (string warning in loaded.Warnings)
        {
            _log.Warning(warning);
        }

        var config = loaded.Config;
        var device = _layer.WireGuard.GetDevice(name);
        if (device is null)
        {
            if (!request.BringUp)
            {
                throw new InnernetException($"Interface {name} is not up. Use 'innernet up {name}' instead.");
            }

            _log.Info($"bringing up interface {name}");
            _layer.BringUp(UpRequest(name, config, config.Interface.PrivateKey, config.Interface.ListenPort, request.Network));
        }

        var store = DataStore.Open(ClientPaths.DataFile(request.DataDirectory, name), config.Server.PublicKey);
        foreach (string warning in store.Warnings)
        {
            _log.Warning(warning);
        }

        return (config, device, store);
    }

    private async Task<FetchResult> ApplyAsync(
        FetchRequest request,
        InterfaceConfig config,
        WireGuardDevice? deviceBefore,
        DataStore store,
        State state,
        StateAnswer? answer,
        bool reachable,
        CancellationToken cancellationToken)
    {
        string name = request.InterfaceName;
        string entityTagPath = ClientPaths.EntityTagFile(request.DataDirectory, name);
        var wireGuard = _layer.WireGuard;
        bool wasUp = deviceBefore is not null;
        // The answer's rules and the pins are checked BEFORE any of it reaches WireGuard, the hosts file or the cache.
        // The cache an unreachable server leaves is checked too: an older client may have written it under fewer rules.
        try
        {
            ServerAnswerValidator.Validate(state, config);
        }
        catch (ServerAnswerException e) when (!reachable)
        {
            throw new ServerAnswerException(
                $"The server is unreachable and the cached peers in '{ClientPaths.DataFile(request.DataDirectory, name)}' "
                + $"are refused too: {e.Message}",
                e);
        }

        if (reachable)
        {
            store.CheckPins(state.Peers);
        }

        var overrides = config.PeerEndpointOverrides;
        var peers = WithServerEndpoint(EndpointOverrides.Apply(state.Peers, overrides), config, request);
        var ownKey = WireGuardKeys.GetPublicKey(config.Interface.PrivateKey);
        var resolve = await EndpointResolver.ResolvePeersAsync(peers, ownKey, _resolve, LookupTimeout, _log.Warning, cancellationToken)
            .ConfigureAwait(false);
        // A device brought up just now is read once it holds what wg::up gave it.
        var device = deviceBefore ?? wireGuard.GetDevice(name)
            ?? throw new InnernetException($"Interface {name} disappeared while it was being configured.");
        var diff = PeerDiff.Compute(peers, device, ownKey, _time.GetUtcNow(), resolve, store.Peers);
        foreach (var change in diff.Changes.Where(c => !c.NatReattemptOnly))
        {
            if (change.EndpointChanged || change.Kind != DevicePeerChangeKind.Modified)
            {
                _log.Info(change.Summary);
            }
            else
            {
                _log.Debug(change.Summary);
            }

            foreach (string detail in change.Details)
            {
                _log.Debug("  " + detail);
            }
        }

        bool hostsWritten = false;
        if (diff.HasUpdates || !wasUp)
        {
            if (diff.HasUpdates)
            {
                wireGuard.ConfigureDevice(name, diff.Config);
            }

            if (request.Hosts.Write)
            {
                hostsWritten = HostsFile.Update(request.Hosts.Path, name, peers, request.Hosts.Suffix);
                if (hostsWritten)
                {
                    _log.Info($"updated hosts file {request.Hosts.Path}");
                }
            }
        }
        else
        {
            _log.Info("peers are already up to date");
        }

        var updatedAt = _time.GetUtcNow();
        if (answer is { NotModified: false })
        {
            store.UpdatePeersAndSetCidrs(state.Peers, state.Cidrs);
            SaveEntityTag(entityTagPath, store, answer.EntityTag);
        }

        IReadOnlyList<Endpoint>? reported = null;
        if (reachable)
        {
            reported = await ReportCandidatesAsync(config, request.Nat, device.ListenPort, cancellationToken).ConfigureAwait(false);
        }

        NatTraversalResult? nat = null;
        if (!request.Nat.NoTraversal && diff.NatTraversalPeers.Count > 0)
        {
            var traversal = new NatTraversal(new WireGuardNatDevice(wireGuard, name), _time, _delay, resolve);
            nat = await traversal.RunAsync(
                diff.NatTraversalPeers, overrides.Keys.ToHashSet(), updatedAt, _log.Debug, cancellationToken).ConfigureAwait(false);
        }

        return new FetchResult(reachable, !wasUp, diff.Changes, peers, hostsWritten, reported, nat)
        {
            NotModified = answer is { NotModified: true },
            ServerState = reachable ? state : null,
        };
    }

    /// <summary>
    /// <c>GET /v1/user/state</c>; when no answer comes, the server peer's endpoint moves to each other known replica in
    /// turn (<see cref="ServerFailover.Candidates"/>) and the request is sent again, at most once per replica. While
    /// another replica is left to try, an attempt gets <see cref="ServerFailover.AttemptTimeout"/> (a dead replica's
    /// tunnel drops packets silently, and the client's own timeout would be most of the failover time); the last one gets
    /// the client's whole timeout.
    /// </summary>
    private async Task<StateAnswer> GetStateFailingOverAsync(
        FetchRequest request, InterfaceConfig config, InnernetApiClient api, string? entityTag, CancellationToken cancellationToken)
    {
        var current = CurrentServerEndpoint(request, config);
        var candidates = ServerFailover.Candidates(config.Server.ExternalEndpoint, KnownReplicas(request));
        for (int attempt = 0; ; attempt++)
        {
            bool another = attempt < candidates.Count - 1;
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (another)
            {
                deadline.CancelAfter(Replicas.AttemptTimeout);
            }

            try
            {
                return await api.GetStateAsync(entityTag, deadline.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (another
                && (e is ApiTransportException || e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                int index = ServerFailover.IndexOf(candidates, current);
                var next = candidates[(index + 1) % candidates.Count];
                string why = e is ApiTransportException
                    ? e.Message
                    : $"No answer within {Replicas.AttemptTimeout.TotalSeconds:0.#} s";
                _log.Warning($"{why}. Trying the server replica at {next}.");
                if (!MoveServerEndpoint(request, config, next))
                {
                    throw;
                }

                current = next;
            }
        }
    }

    /// <summary>
    /// Moves the server peer's WireGuard endpoint to the next known replica when <see cref="Replicas"/> allows a move now
    /// (the live session calls it when the stream or the server stops answering); the next fetch or stream goes there.
    /// </summary>
    /// <returns>The endpoint moved to; null when there is no other replica or the last move is too recent.</returns>
    public Endpoint? FailOver(FetchRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var config = InterfaceConfig.Load(ClientPaths.ConfigFile(request.ConfigDirectory, request.InterfaceName)).Config;
        var candidates = ServerFailover.Candidates(config.Server.ExternalEndpoint, KnownReplicas(request));
        var next = Replicas.Next(candidates, CurrentServerEndpoint(request, config));
        if (next is null)
        {
            return null;
        }

        _log.Warning($"the server is not answering; moving to the server replica at {next}");
        return MoveServerEndpoint(request, config, next) ? next : null;
    }

    /// <summary>
    /// Keeps the replicas a server announced (<paramref name="announced"/>, from the state answer or the stream), the one
    /// in use first; a server that announces none (innernet) leaves no file.
    /// </summary>
    public void RememberReplicas(FetchRequest request, InterfaceConfig config, IReadOnlyList<Endpoint>? announced)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(config);
        string path = ClientPaths.ReplicasFile(request.DataDirectory, request.InterfaceName);
        try
        {
            var current = CurrentServerEndpoint(request, config);
            var known = announced is null || announced.Count == 0 && current == config.Server.ExternalEndpoint
                ? []
                : (IReadOnlyList<Endpoint>)[current, .. announced];
            if (!known.SequenceEqual(ReplicaFile.Read(path)))
            {
                ReplicaFile.Write(path, known);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.Warning($"could not save '{path}': {e.Message}");
        }
    }

    /// <summary>
    /// The keepalive probes the state stream of <paramref name="request"/>'s interface needs: <see cref="Replicas"/>'
    /// <see cref="ServerFailover.StreamKeepAlive"/> when another replica is known to move to, else null.
    /// </summary>
    public TcpKeepAlive? StreamKeepAlive(FetchRequest request, InterfaceConfig config)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(config);
        return ServerFailover.Candidates(config.Server.ExternalEndpoint, KnownReplicas(request)).Count > 1
            ? Replicas.StreamKeepAlive
            : null;
    }

    private static IReadOnlyList<Endpoint> KnownReplicas(FetchRequest request)
        => ReplicaFile.Read(ClientPaths.ReplicasFile(request.DataDirectory, request.InterfaceName));

    /// <summary>The server endpoint in use: the first known replica (the last one that worked), else the config's.</summary>
    private static Endpoint CurrentServerEndpoint(FetchRequest request, InterfaceConfig config)
        => KnownReplicas(request) is [var first, ..] ? first : config.Server.ExternalEndpoint;

    /// <summary>
    /// The peers with the server peer's endpoint replaced by the replica in use, so the device diff keeps the server peer
    /// where failover put it; unchanged when no replica is known.
    /// </summary>
    private static IReadOnlyList<Peer> WithServerEndpoint(IReadOnlyList<Peer> peers, InterfaceConfig config, FetchRequest request)
    {
        if (KnownReplicas(request) is not [var current, ..])
        {
            return peers;
        }

        return [.. peers.Select(p => p.PublicKey == config.Server.PublicKey && p.Endpoint != current ? p with { Endpoint = current } : p)];
    }

    /// <summary>
    /// Moves the server peer to <paramref name="next"/> on the device and records it as the replica in use. Setting the
    /// endpoint alone keeps the session with the old replica: WireGuard goes on encrypting with keys the new replica does
    /// not have, which drops the packets, and starts a new handshake only when the missing answers time out (15 s, longer
    /// than a request waits). So the server peer is removed and added again with the same settings: its session is gone
    /// and the next packet starts a handshake with the new replica.
    /// </summary>
    private bool MoveServerEndpoint(FetchRequest request, InterfaceConfig config, Endpoint next)
    {
        if (_resolve(next) is not { } resolved)
        {
            _log.Warning($"cannot resolve the server replica's endpoint '{next}'");
            return false;
        }

        WireGuardKey key = config.Server.PublicKey;
        if (_layer.WireGuard.GetDevice(request.InterfaceName)?.Peers.FirstOrDefault(p => p.PublicKey == key) is { } server)
        {
            _layer.WireGuard.ConfigureDevice(
                request.InterfaceName, new DeviceConfig { Peers = { new PeerConfig { PublicKey = key, Remove = true } } });
            var readded = new PeerConfig
            {
                PublicKey = key,
                Endpoint = resolved,
                PresharedKey = server.PresharedKey,
                PersistentKeepaliveInterval = server.PersistentKeepaliveInterval,
            };
            foreach (var allowed in server.AllowedIPs)
            {
                readded.AllowedIPs.Add(allowed);
            }

            _layer.WireGuard.ConfigureDevice(request.InterfaceName, new DeviceConfig { Peers = { readded } });
        }

        string path = ClientPaths.ReplicasFile(request.DataDirectory, request.InterfaceName);
        var known = ServerFailover.Candidates(config.Server.ExternalEndpoint, KnownReplicas(request));
        try
        {
            ReplicaFile.Write(path, [next, .. known]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.Warning($"could not save '{path}': {e.Message}");
        }

        return true;
    }

    /// <summary>
    /// The server's last answer as the cache holds it: the peers it listed (the cache marks the ones it stopped
    /// listing disabled, and the server never lists a disabled peer) and its CIDRs.
    /// </summary>
    private static State CachedAnswer(DataStore store) => new(store.Peers.Where(p => !p.IsDisabled).ToList(), store.Cidrs);

    /// <summary>Keeps the answer's tag beside the cache just written, or drops a stale one when the server sent none.</summary>
    private void SaveEntityTag(string path, DataStore store, string? entityTag)
    {
        try
        {
            if (entityTag is null)
            {
                StateEntityTagFile.Delete(path);
            }
            else
            {
                StateEntityTagFile.Write(path, store, entityTag);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Only the next poll's size depends on it: without the file it is a plain GET.
            _log.Warning($"could not save '{path}': {e.Message}");
        }
    }

    /// <summary>The <c>wg::up</c> request for a client: its key and address, the server as the only peer.</summary>
    public InterfaceUpRequest UpRequest(
        string name, InterfaceConfig config, WireGuardKey privateKey, ushort? listenPort, NetworkOptions network)
    {
        ArgumentNullException.ThrowIfNull(config);
        var endpoint = _resolve(config.Server.ExternalEndpoint)
            ?? throw new InnernetException($"Cannot resolve the server's external endpoint '{config.Server.ExternalEndpoint}'.");
        return new InterfaceUpRequest(
            name,
            privateKey,
            config.Interface.Address,
            listenPort,
            new InterfaceServerPeer(config.Server.PublicKey, config.Server.InternalEndpoint.Address, endpoint),
            network);
    }

    /// <summary>Reports this host's NAT candidates on the device's <paramref name="listenPort"/> (the diff never changes it).</summary>
    private async Task<IReadOnlyList<Endpoint>?> ReportCandidatesAsync(
        InterfaceConfig config, NatOptions nat, ushort listenPort, CancellationToken cancellationToken)
    {
        ushort port = listenPort > 0 ? listenPort : NetworkDefaults.ListenPort;
        var candidates = CandidateSelector.Select(_layer.GetLocalAddresses(), nat, port);
        using var api = _api(config);
        try
        {
            await api.SetCandidatesAsync(candidates, cancellationToken).ConfigureAwait(false);
            _log.Debug($"reported {candidates.Count} NAT candidates: {string.Join(", ", candidates)}");
            return candidates;
        }
        catch (ApiStatusException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            _log.Warning("the server does not accept NAT candidates (innernet older than 1.5?)");
            return null;
        }
        catch (ApiStatusException e) when (e.StatusCode == HttpStatusCode.TooManyRequests)
        {
            // The server limits how often a peer may write; the candidates it holds from the last report stay in
            // force, so this fetch goes on.
            _log.Warning("the server is rate-limiting NAT candidate reports; it keeps the previous report");
            return null;
        }
        catch (ApiTransportException e)
        {
            _log.Warning($"could not report NAT candidates: {e.Message}");
            return null;
        }
    }
}
