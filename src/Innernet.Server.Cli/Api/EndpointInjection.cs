using System.Net;
using Innernet.Core.Model;
using Endpoint = Innernet.Core.Model.Endpoint;
using Innernet.Core.Persistence;

namespace Innernet.Server.Api;

/// <summary>
/// How peers are served (innernet's <c>inject_endpoints</c>), and its inverse for admin updates
/// (values that only echo the injection are not persisted).
/// </summary>
internal static class EndpointInjection
{
    /// <summary>
    /// The peer as the API serves it: keepalive 25, and the endpoint WireGuard observed for it injected:
    /// it becomes the endpoint when none is stored, fills in the host of an unspecified-IP override
    /// (<c>0.0.0.0:port</c>, cleared while nothing is observed), and otherwise is appended to the candidates.
    /// </summary>
    public static Peer Serve(Peer peer, IPeerSync sync)
    {
        ArgumentNullException.ThrowIfNull(peer);
        ArgumentNullException.ThrowIfNull(sync);
        var observed = Observed(peer, sync);
        var endpoint = peer.Endpoint;
        if (endpoint is null)
        {
            endpoint = observed;
        }
        else if (endpoint.IsUnspecified)
        {
            endpoint = observed?.WithPort(endpoint.Port);
        }

        var candidates = peer.Candidates;
        if (observed is not null && observed != endpoint && !candidates.Contains(observed))
        {
            candidates = [.. candidates, observed];
        }

        return peer with
        {
            Endpoint = endpoint,
            Candidates = candidates,
            PersistentKeepaliveInterval = NetworkDefaults.PersistentKeepaliveSeconds,
        };
    }

    /// <summary>
    /// An admin update (<c>PUT /v1/admin/peers/{id}</c>) without the values it only echoes from a
    /// <c>GET /v1/admin/peers</c> (innernet's client sends the whole peer back): an endpoint equal to the
    /// injected one keeps the stored endpoint, and the observed endpoint is not stored as a candidate
    /// unless it already was. Real changes pass through.
    /// </summary>
    public static PeerUpdate WithoutEchoes(Peer stored, PeerUpdate requested, IPeerSync sync)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(requested);
        var served = Serve(stored, sync);
        var observed = Observed(stored, sync);

        var endpoint = requested.Endpoint == served.Endpoint ? stored.Endpoint : requested.Endpoint;
        var candidates = observed is not null && !stored.Candidates.Contains(observed)
            ? requested.Candidates.Where(c => c != observed).ToArray()
            : requested.Candidates;
        return requested with { Endpoint = endpoint, Candidates = candidates };
    }

    private static Endpoint? Observed(Peer peer, IPeerSync sync)
    {
        // The server's own entry has no observed endpoint: its stored endpoint is the external endpoint.
        if (peer.Id == Peer.ServerId)
        {
            return null;
        }

        if (sync.GetObservedEndpoint(peer.PublicKey) is not { } observed)
        {
            return null;
        }

        // innernet endpoints carry no IPv6 scope id (a link-local underlay is unusable for other peers anyway).
        var address = observed.Address;
        if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && address.ScopeId != 0)
        {
            address = new IPAddress(address.GetAddressBytes());
        }

        return Endpoint.FromAddress(address, (ushort)observed.Port);
    }
}
