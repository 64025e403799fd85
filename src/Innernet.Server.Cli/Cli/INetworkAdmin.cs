using Innernet.Core.Model;
using Innernet.Netlink.WireGuard;

using Endpoint = Innernet.Core.Model.Endpoint;

namespace Innernet.Server.Cli;

/// <summary>
/// The network's data as the read-only verbs see it: the running server (through its local admin socket) or the
/// database (the server is not running), opened only to read it.
/// </summary>
internal interface INetworkReader : IAsyncDisposable
{
    Task<IReadOnlyList<Cidr>> ListCidrsAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<Peer>> ListPeersAsync(CancellationToken cancellationToken);

    /// <summary>The audit log from <paramref name="since"/> on (all when null), oldest first.</summary>
    Task<IReadOnlyList<AuditEntry>> ListAuditAsync(DateTimeOffset? since, CancellationToken cancellationToken);

    /// <summary>IPs of deleted peers that new peers may not take yet.</summary>
    Task<IReadOnlyList<ReservedIp>> ListReservedIpsAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<Association>> ListAssociationsAsync(CancellationToken cancellationToken);
}

/// <summary>
/// The network's data as the verbs that change it see it: either the running server (through its local admin socket, so
/// the change reaches WireGuard at once) or the database file directly (the server is not running).
/// </summary>
internal interface INetworkAdmin : INetworkReader
{
    /// <summary>True when the changes go through the running server.</summary>
    bool ViaServer { get; }

    Task<Peer> AddPeerAsync(PeerContents contents, CancellationToken cancellationToken);

    Task SetDisabledAsync(Peer peer, bool disabled, CancellationToken cancellationToken);

    Task RenamePeerAsync(Peer peer, string newName, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the peer for good; its IP stays reserved for <see cref="ReservedIp.DefaultPeriod"/> unless <paramref name="releaseIp"/>.
    /// </summary>
    Task DeletePeerAsync(Peer peer, bool releaseIp, CancellationToken cancellationToken);

    Task<Cidr> AddCidrAsync(CidrContents contents, CancellationToken cancellationToken);

    Task RenameCidrAsync(Cidr cidr, string newName, CancellationToken cancellationToken);

    Task DeleteCidrAsync(Cidr cidr, CancellationToken cancellationToken);

    Task AddAssociationAsync(AssociationContents contents, CancellationToken cancellationToken);

    Task DeleteAssociationAsync(Association association, CancellationToken cancellationToken);

    /// <summary>New temporary key and expiry for an unredeemed peer; the old key stops working.</summary>
    Task<Peer> ReissueInvitationAsync(Peer peer, WireGuardKey newTemporaryKey, DateTimeOffset expires, CancellationToken cancellationToken);

    /// <summary>The server's external endpoint (peer 1's endpoint), written into later invitations.</summary>
    Task SetServerEndpointAsync(Endpoint endpoint, CancellationToken cancellationToken);
}
