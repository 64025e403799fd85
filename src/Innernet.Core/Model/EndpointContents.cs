namespace Innernet.Core.Model;

/// <summary>
/// Body of <c>PUT /v1/user/endpoint</c>: set or unset the caller's endpoint override.
/// JSON: <c>{"option":"Set","content":"h:p"}</c> or <c>{"option":"Unset"}</c>.
/// </summary>
public sealed record EndpointContents
{
    private EndpointContents(Endpoint? endpoint) => Endpoint = endpoint;

    /// <summary>Unset the override.</summary>
    public static EndpointContents Unset { get; } = new((Endpoint?)null);

    /// <summary>The endpoint to set, or null for <see cref="Unset"/>.</summary>
    public Endpoint? Endpoint { get; }

    /// <summary>True for a Set request.</summary>
    public bool IsSet => Endpoint is not null;

    /// <summary>Set the override to <paramref name="endpoint"/>.</summary>
    public static EndpointContents Set(Endpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return new EndpointContents(endpoint);
    }
}
