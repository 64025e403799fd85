namespace Innernet.Core.Live;

/// <summary>What <c>GET /v1/user/capabilities</c> said about the state stream.</summary>
internal enum StreamOffer
{
    /// <summary>The server offers it.</summary>
    Offered,

    /// <summary>The server answered without it (innernet 1.7): poll.</summary>
    NotOffered,

    /// <summary>No usable answer (unreachable, a 5xx): ask again after the reconnect wait.</summary>
    Unknown,
}
