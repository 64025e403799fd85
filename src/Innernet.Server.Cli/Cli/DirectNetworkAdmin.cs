using Innernet.Core.Model;
using Innernet.Core.Persistence;
using Innernet.Netlink.WireGuard;
using Innernet.Server.Serve;

using Endpoint = Innernet.Core.Model.Endpoint;

namespace Innernet.Server.Cli;

/// <summary>
/// The database file opened directly (the server is not running). Like innernet, adding, disabling and
/// enabling a peer (and re-issuing an invitation) also update the WireGuard interface if it exists: by the
/// server's own reconciliation (<see cref="PeerReconciler"/>), so the rule of who belongs there lives once.
/// </summary>
internal sealed class DirectNetworkAdmin : INetworkAdmin
{
    private readonly ServerStore _store;
    private readonly string _interface;
    private readonly WireGuardKey _serverPublicKey;
    private readonly Func<WireGuardClient> _openWireGuard;
    private readonly TimeProvider _time;
    private readonly TextWriter _error;

    public DirectNetworkAdmin(
        ServerStore store,
        string iface,
        WireGuardKey serverPublicKey,
        Func<WireGuardClient> openWireGuard,
        TimeProvider time,
        TextWriter error)
    {
        _store = store;
        _interface = iface;
        _serverPublicKey = serverPublicKey;
        _openWireGuard = openWireGuard;
        _time = time;
        _error = error;
    }

    public bool ViaServer => false;

    public Task<IReadOnlyList<Cidr>> ListCidrsAsync(CancellationToken cancellationToken) => Task.FromResult(_store.ListCidrs());

    public Task<IReadOnlyList<Peer>> ListPeersAsync(CancellationToken cancellationToken) => Task.FromResult(_store.ListPeers());

    public Task<IReadOnlyList<Association>> ListAssociationsAsync(CancellationToken cancellationToken)
        => Task.FromResult(_store.ListAssociations());

    public Task<Peer> AddPeerAsync(PeerContents contents, CancellationToken cancellationToken)
    {
        var peer = _store.AddPeer(contents);
        Audit("POST", "/v1/admin/peers", StatusCodes.Status201Created);
        ReconcileLiveInterface();
        return Task.FromResult(peer);
    }

    public Task SetDisabledAsync(Peer peer, bool disabled, CancellationToken cancellationToken)
    {
        _store.SetDisabled(peer.Id, disabled);
        Audit("PUT", $"/v1/admin/peers/{peer.Id}");
        ReconcileLiveInterface();
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<AuditEntry>> ListAuditAsync(DateTimeOffset? since, CancellationToken cancellationToken)
        => Task.FromResult(_store.ListAudit(since));

    public Task<IReadOnlyList<ReservedIp>> ListReservedIpsAsync(CancellationToken cancellationToken) => Task.FromResult(_store.ListReservedIps());

    public Task DeletePeerAsync(Peer peer, bool releaseIp, CancellationToken cancellationToken)
    {
        _store.DeletePeer(peer.Id, releaseIp ? null : _time.GetUtcNow() + ReservedIp.DefaultPeriod);
        Audit("POST", $"/v1/admin/peers/{peer.Id}/delete");
        ReconcileLiveInterface();
        return Task.CompletedTask;
    }

    public Task RenamePeerAsync(Peer peer, string newName, CancellationToken cancellationToken)
    {
        _store.UpdatePeer(peer.Id, PeerUpdate.From(peer) with { Name = newName });
        Audit("PUT", $"/v1/admin/peers/{peer.Id}");
        return Task.CompletedTask;
    }

    public Task<Cidr> AddCidrAsync(CidrContents contents, CancellationToken cancellationToken)
    {
        var cidr = _store.AddCidr(contents);
        Audit("POST", "/v1/admin/cidrs", StatusCodes.Status201Created);
        return Task.FromResult(cidr);
    }

    public Task RenameCidrAsync(Cidr cidr, string newName, CancellationToken cancellationToken)
    {
        _store.RenameCidr(cidr.Id, newName);
        Audit("PUT", $"/v1/admin/cidrs/{cidr.Id}");
        return Task.CompletedTask;
    }

    public Task DeleteCidrAsync(Cidr cidr, CancellationToken cancellationToken)
    {
        _store.DeleteCidr(cidr.Id);
        Audit("DELETE", $"/v1/admin/cidrs/{cidr.Id}");
        return Task.CompletedTask;
    }

    public Task AddAssociationAsync(AssociationContents contents, CancellationToken cancellationToken)
    {
        _store.AddAssociation(contents);
        Audit("POST", "/v1/admin/associations", StatusCodes.Status201Created);
        return Task.CompletedTask;
    }

    public Task DeleteAssociationAsync(Association association, CancellationToken cancellationToken)
    {
        _store.DeleteAssociation(association.Id);
        Audit("DELETE", $"/v1/admin/associations/{association.Id}");
        return Task.CompletedTask;
    }

    public Task<Peer> ReissueInvitationAsync(Peer peer, WireGuardKey newTemporaryKey, DateTimeOffset expires, CancellationToken cancellationToken)
    {
        var change = _store.ReissueInvitation(peer.Id, newTemporaryKey, expires);
        Audit("POST", $"/v1/admin/peers/{peer.Id}/reissue");
        ReconcileLiveInterface();
        return Task.FromResult(change.After);
    }

    public Task SetServerEndpointAsync(Endpoint endpoint, CancellationToken cancellationToken)
    {
        _store.SetServerEndpoint(endpoint);
        Audit("PUT", "/v1/admin/server/endpoint");
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _store.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Makes the WireGuard interface, when it exists, hold what the database says (one pass, only the difference);
    /// a failure is a warning (the database is the truth, and <c>serve</c> reconciles at start).
    /// </summary>
    private void ReconcileLiveInterface()
    {
        try
        {
            using var wireGuard = _openWireGuard();
            var reconciler = new PeerReconciler(
                wireGuard, _interface, _serverPublicKey, _store.ListPeers, _time, WireGuardPeerSync.RedeemTransitionWait);
            reconciler.Reconcile(readDevice: true);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            _error.WriteLine($"warning: the database was updated but WireGuard interface '{_interface}' was not: {e.Message}");
        }
    }

    /// <summary>
    /// The audit entry of a change made with the server stopped: the same form as the API's (<see cref="Api.AuditMiddleware"/>),
    /// the action named by the request the running server would have received.
    /// </summary>
    private void Audit(string method, string path, int status = StatusCodes.Status204NoContent)
        => _store.AppendAudit(_time.GetUtcNow(), "local admin", "command line (server stopped)", $"{method} {path}", status);
}
