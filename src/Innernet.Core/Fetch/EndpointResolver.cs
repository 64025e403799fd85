using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Innernet.Core.Model;
using Innernet.Netlink.WireGuard;

namespace Innernet.Core.Fetch;

/// <summary>
/// Turns endpoints into socket addresses as innernet does: an IP literal as is, a DNS name to its first address.
/// The names in a server's answer are resolved once per fetch, in parallel, each under a deadline and at most
/// <see cref="MaxLookupsPerFetch"/> of them, so a hostile or slow answer cannot stall the client.
/// </summary>
public static class EndpointResolver
{
    /// <summary>Distinct DNS names resolved per fetch; endpoints with further names stay unresolved.</summary>
    public const int MaxLookupsPerFetch = 64;

    /// <summary>How long one lookup may take before its endpoint counts as unresolved.</summary>
    public static readonly TimeSpan DefaultLookupTimeout = TimeSpan.FromSeconds(3);

    /// <summary>The socket address, or null when the name does not resolve.</summary>
    public static IPEndPoint? Resolve(Endpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (endpoint.TryGetIPEndPoint() is { } literal)
        {
            return literal;
        }

        try
        {
            var addresses = Dns.GetHostAddresses(endpoint.Host);
            return addresses.Length == 0 ? null : new IPEndPoint(addresses[0], endpoint.Port);
        }
        catch (SocketException)
        {
            return null;
        }
    }

    /// <summary>
    /// Resolves the DNS names among <paramref name="endpoints"/> with <paramref name="resolve"/> (one call per
    /// distinct name, at most <see cref="MaxLookupsPerFetch"/>, each within <paramref name="timeout"/>, all at once)
    /// and returns a resolver that answers from those results without further lookups.
    /// </summary>
    /// <param name="endpoints">Every endpoint the caller will resolve (peer endpoints and candidates).</param>
    /// <param name="resolve">The lookup (may block; it runs on its own thread and is abandoned after the timeout).</param>
    /// <param name="timeout">The deadline of each lookup.</param>
    /// <param name="warn">Told about names that were skipped or timed out.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    public static async Task<Func<Endpoint, IPEndPoint?>> ResolveAllAsync(
        IEnumerable<Endpoint> endpoints,
        Func<Endpoint, IPEndPoint?> resolve,
        TimeSpan timeout,
        Action<string> warn,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(resolve);
        ArgumentNullException.ThrowIfNull(warn);
        var names = new Dictionary<string, Endpoint>(StringComparer.Ordinal);
        var skipped = new HashSet<string>(StringComparer.Ordinal);
        foreach (var endpoint in endpoints.Where(e => e.IsDnsName))
        {
            if (names.Count < MaxLookupsPerFetch)
            {
                names.TryAdd(endpoint.Host, endpoint);
            }
            else if (!names.ContainsKey(endpoint.Host))
            {
                skipped.Add(endpoint.Host);
            }
        }

        if (skipped.Count > 0)
        {
            warn($"the server's answer names more than {MaxLookupsPerFetch} DNS hosts; {skipped.Count} of them were not resolved");
        }

        var lookups = names.Values.Select(e => (e.Host, Task: LookupAsync(e, resolve, timeout, warn, cancellationToken))).ToList();
        await Task.WhenAll(lookups.Select(l => l.Task)).ConfigureAwait(false);
        var addresses = lookups
            .Where(l => l.Task.Result is not null)
            .ToDictionary(l => l.Host, l => l.Task.Result!.Address, StringComparer.Ordinal);
        return endpoint => endpoint.TryGetIPEndPoint()
            ?? (addresses.TryGetValue(endpoint.Host, out var address) ? new IPEndPoint(address, endpoint.Port) : null);
    }

    /// <summary>
    /// <see cref="ResolveAllAsync"/> for the endpoints and candidates of the peers WireGuard will get: not disabled,
    /// not this interface's own key.
    /// </summary>
    public static Task<Func<Endpoint, IPEndPoint?>> ResolvePeersAsync(
        IEnumerable<Peer> peers,
        WireGuardKey ownPublicKey,
        Func<Endpoint, IPEndPoint?> resolve,
        TimeSpan timeout,
        Action<string> warn,
        CancellationToken cancellationToken = default)
        => ResolveAllAsync(PeerEndpoints(peers, ownPublicKey), resolve, timeout, warn, cancellationToken);

    /// <summary>Each peer's endpoint (when it has one), then its candidates; one enumerator for all of them.</summary>
    private static IEnumerable<Endpoint> PeerEndpoints(IEnumerable<Peer> peers, WireGuardKey ownPublicKey)
    {
        ArgumentNullException.ThrowIfNull(peers);
        foreach (var peer in peers)
        {
            if (peer.IsDisabled || peer.PublicKey == ownPublicKey)
            {
                continue;
            }

            if (peer.Endpoint is { } endpoint)
            {
                yield return endpoint;
            }

            var candidates = peer.Candidates;
            for (int i = 0; i < candidates.Count; i++)
            {
                yield return candidates[i];
            }
        }
    }

    private static async Task<IPEndPoint?> LookupAsync(
        Endpoint endpoint, Func<Endpoint, IPEndPoint?> resolve, TimeSpan timeout, Action<string> warn, CancellationToken cancellationToken)
    {
        // A dedicated thread per lookup: a blocked resolver must not hold up the thread pool or the other names.
        var lookup = Task.Factory.StartNew(
            () => resolve(endpoint), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            return await lookup.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            warn($"resolving '{endpoint.Host}' took longer than {timeout.TotalSeconds:0.#} s; its endpoint is skipped");
            return null;
        }
        catch (Exception e) when (e is SocketException or ArgumentException)
        {
            warn($"cannot resolve '{endpoint.Host}': {e.Message}");
            return null;
        }
    }
}
