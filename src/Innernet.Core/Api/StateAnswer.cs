using Innernet.Core.Model;

namespace Innernet.Core.Api;

/// <summary>The answer to a conditional <c>GET /v1/user/state</c>.</summary>
/// <param name="State">The new state; null when the server answered 304 (the state sent last time still holds).</param>
/// <param name="EntityTag">
/// The server's <c>ETag</c> (quotes included) when it sent one that <see cref="Api.EntityTag.IsValid"/> accepts; null
/// otherwise (innernet 1.7 sends none).
/// </param>
public sealed record StateAnswer(State? State, string? EntityTag)
{
    /// <summary>True when the server answered 304 Not Modified.</summary>
    public bool NotModified => State is null;

    /// <summary>
    /// The live replicas' external endpoints the server announced (<see cref="ReplicaAnnouncement"/>); null when it sent
    /// no such header (innernet, a server of this project older than the extension).
    /// </summary>
    public IReadOnlyList<Endpoint>? Replicas { get; init; }
}
