using Innernet.Core.Model;

namespace Innernet.Core.Sync;

/// <summary>Applies the client config's local <c>[peer-endpoint-overrides]</c> to the server's peers.</summary>
internal static class EndpointOverrides
{
    /// <summary>Each peer whose IP has an override gets that endpoint; the others are returned unchanged.</summary>
    public static IReadOnlyList<Peer> Apply(IEnumerable<Peer> peers, IReadOnlyDictionary<IPAddress, Endpoint> overrides)
    {
        ArgumentNullException.ThrowIfNull(peers);
        ArgumentNullException.ThrowIfNull(overrides);
        return [.. peers.Select(p => overrides.TryGetValue(p.Ip, out var endpoint) ? p with { Endpoint = endpoint } : p)];
    }
}
