using Innernet.Core.Api;
using Endpoint = Innernet.Core.Model.Endpoint;

namespace Innernet.Server.Api;

/// <summary>
/// The live servers' external endpoints this server announces to clients (<see cref="ReplicaAnnouncement"/>), as the last
/// heartbeat found them in the store. Read by every state request, replaced by the heartbeat loop.
/// </summary>
internal sealed class ReplicaDirectory
{
    private volatile string? _header;

    /// <summary>The header value to send; null before the first heartbeat or when no server registered an endpoint.</summary>
    public string? Header => _header;

    /// <summary>Replaces the endpoints announced.</summary>
    public void Update(IReadOnlyList<Endpoint> endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        _header = endpoints.Count == 0 ? null : ReplicaAnnouncement.Format(endpoints);
    }

    /// <summary>Adds the header to <paramref name="response"/> when there is something to announce.</summary>
    public void Announce(HttpResponse response)
    {
        if (_header is { } header)
        {
            response.Headers[ReplicaAnnouncement.HeaderName] = header;
        }
    }
}
