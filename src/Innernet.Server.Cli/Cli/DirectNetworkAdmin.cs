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
internal sealed class DirectNetworkAdmin : StoreNetworkReader, INetworkAdmin
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
        : base(store)
    {
        _store = store;
        _interface = iface;
        _serverPublicKey = serverPublicKey;
        _openWireGuard = openWireGuard;
        _time = time;
        _error = error;
    }

    public bool ViaServer => false;

    public Task<Peer> AddPeerAsync(PeerContents contents, CancellationToken cancellationToken)
    {
        var peer = Audited("POST", "/v1/admin/peers", StatusCodes.Status201Created, () => _store.AddPeer(contents));
        ReconcileLiveInterface();
        return Task.FromResult(peer);
    }

    public Task SetDisabledAsync(Peer peer, bool disabled, CancellationToken cancellationToken)
    {
        Audited("PUT", $"/v1/admin/peers/{peer.Id}", () => _store.SetDisabled(peer.Id, disabled));
        ReconcileLiveInterface();
        return Task.CompletedTask;
    }

    public Task DeletePeerAsync(Peer peer, bool releaseIp, CancellationToken cancellationToken)
    {
        Audited("POST", $"/v1/admin/peers/{peer.Id}/delete",
            () => _store.DeletePeer(peer.Id, releaseIp ? null : _time.GetUtcNow() + ReservedIp.DefaultPeriod));
        ReconcileLiveInterface();
        return Task.CompletedTask;
    }

    public Task RenamePeerAsync(Peer peer, string newName, CancellationToken cancellationToken)
    {
        Audited("PUT", $"/v1/admin/peers/{peer.Id}", () => _store.UpdatePeer(peer.Id, PeerUpdate.From(peer) with { Name = newName }));
        return Task.CompletedTask;
    }

    public Task<Cidr> AddCidrAsync(CidrContents contents, CancellationToken cancellationToken)
    {
        var cidr = Audited("POST", "/v1/admin/cidrs", StatusCodes.Status201Created, () => _store.AddCidr(contents));
        return Task.FromResult(cidr);
    }

    public Task RenameCidrAsync(Cidr cidr, string newName, CancellationToken cancellationToken)
    {
        Audited("PUT", $"/v1/admin/cidrs/{cidr.Id}", () => _store.RenameCidr(cidr.Id, newName));
        return Task.CompletedTask;
    }

    public Task DeleteCidrAsync(Cidr cidr, CancellationToken cancellationToken)
    {
        Audited("DELETE", $"/v1/admin/cidrs/{cidr.Id}", () => _store.DeleteCidr(cidr.Id));
        return Task.CompletedTask;
    }

    public Task AddAssociationAsync(AssociationContents contents, CancellationToken cancellationToken)
    {
        Audited("POST", "/v1/admin/associations", StatusCodes.Status201Created, () => _store.AddAssociation(contents));
        return Task.CompletedTask;
    }

    public Task DeleteAssociationAsync(Association association, CancellationToken cancellationToken)
    {
        Audited("DELETE", $"/v1/admin/associations/{association.Id}", () => _store.DeleteAssociation(association.Id));
        return Task.CompletedTask;
    }

    public Task<Peer> ReissueInvitationAsync(
        Peer peer, WireGuardKey newTemporaryKey, DateTimeOffset expires, CancellationToken cancellationToken)
    {
        var change = Audited("POST", $"/v1/admin/peers/{peer.Id}/reissue", StatusCodes.Status200OK,
            () => _store.ReissueInvitation(peer.Id, newTemporaryKey, expires));
        ReconcileLiveInterface();
        return Task.FromResult(change.After);
    }

    public Task SetServerEndpointAsync(Endpoint endpoint, CancellationToken cancellationToken)
    {
        Audited("PUT", "/v1/admin/server/endpoint", () => _store.SetServerEndpoint(endpoint));
        return Task.CompletedTask;
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
    /// Runs a write with the server stopped inside an <see cref="AuditScope"/>, so its audit entry (the same form as the
    /// API's, <see cref="Api.AuditMiddleware"/>) is committed in the write's own transaction
    /// (<see cref="ServerStore.EnsureAudited"/>).
    /// </summary>
    private T Audited<T>(string method, string path, int status, Func<T> write)
    {
        using var scope = AuditScope.Begin(_time.GetUtcNow(), "local admin", "command line (server stopped)", $"{method} {path}", status);
        var result = write();
        _store.EnsureAudited(scope, status);
        return result;
    }

    private void Audited(string method, string path, Action write) => Audited(method, path, StatusCodes.Status204NoContent, write);

    private void Audited(string method, string path, int status, Action write) => Audited(method, path, status, () =>
    {
        write();
        return true;
    });
}
