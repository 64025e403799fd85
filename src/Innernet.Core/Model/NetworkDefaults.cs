namespace Innernet.Core.Model;

/// <summary>The numbers innernet fixes for every network, defined once for the server, the client and the API.</summary>
public static class NetworkDefaults
{
    /// <summary>
    /// The WireGuard (and server API) port when none is chosen; also the port reported with candidates when the device has none.
    /// </summary>
    public const ushort ListenPort = 51820;

    /// <summary>The persistent keepalive, in seconds, innernet sets on every peer entry and the server reports for every peer.</summary>
    public const ushort PersistentKeepaliveSeconds = 25;

    /// <summary>
    /// The most NAT-traversal candidates a peer reports, the server accepts (innernet answers 413 beyond) and a client tries.
    /// </summary>
    public const int MaxCandidates = 10;
}
