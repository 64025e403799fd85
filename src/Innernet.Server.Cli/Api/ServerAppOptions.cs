using System.Net;
using System.Net.Sockets;
using Innernet.Core.Persistence;
using Innernet.Netlink.WireGuard;

namespace Innernet.Server.Api;

/// <summary>Everything <see cref="ServerApp.Build"/> needs to host the innernet HTTP API.</summary>
public sealed class ServerAppOptions
{
    /// <summary>The server's database. The app does not dispose it.</summary>
    public required ServerStore Store { get; init; }

    /// <summary>The server's WireGuard public key: the value every <c>X-Innernet-Server-Key</c> header must carry.</summary>
    public required WireGuardKey ServerPublicKey { get; init; }

    /// <summary>Applies changes to the server's WireGuard interface; <see cref="NullPeerSync"/> for none.</summary>
    public IPeerSync PeerSync { get; init; } = NullPeerSync.Instance;

    /// <summary>
    /// TCP endpoints to serve the API on, normally the server's overlay IP and listen port (e.g. 10.42.0.1:51820). Port 0
    /// picks a free port.
    /// </summary>
    public IList<IPEndPoint> ListenEndpoints { get; init; } = new List<IPEndPoint>();

    /// <summary>
    /// Linux: bind the TCP listeners to this interface (SO_BINDTODEVICE), so that only packets arriving on the
    /// WireGuard interface reach the API and no other interface can claim an overlay source IP.
    /// </summary>
    public string? BindToDevice { get; init; }

    /// <summary>
    /// A Unix socket (created 0600, only accepting the server's own user) whose requests act as the local root
    /// admin: no key header, no IP lookup, every <c>/v1/admin</c> endpoint, no <c>/v1/user</c> endpoint.
    /// </summary>
    public string? LocalAdminSocketPath { get; init; }

    /// <summary>
    /// Creates the socket for a TCP listen endpoint (tests: inside a network namespace). It may return the
    /// socket bound or unbound; an unbound socket is bound to the endpoint. <see cref="BindToDevice"/> is
    /// applied either way. Default: a plain TCP socket.
    /// </summary>
    public Func<IPEndPoint, Socket>? CreateListenSocket { get; init; }

    /// <summary>
    /// A loopback TCP endpoint that serves only Prometheus metrics (<c>GET /metrics</c>) and the health check
    /// (<c>GET /healthz</c>), never the API; null for none (the admin socket serves both paths anyway).
    /// </summary>
    public IPEndPoint? MetricsEndpoint { get; init; }

    /// <summary>The server's WireGuard interface, whose existence the health check checks; null: not checked.</summary>
    public string? WireGuardInterface { get; init; }

    /// <summary>Where the request log and errors go; null for no logging.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>The clock for invitation expiry and the expired-invitation sweeper.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The live servers' external endpoints announced on state answers (none by default).</summary>
    internal ReplicaDirectory Replicas { get; init; } = new();
}
