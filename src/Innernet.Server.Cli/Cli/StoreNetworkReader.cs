using Innernet.Core.Model;
using Innernet.Core.Persistence;

namespace Innernet.Server.Cli;

/// <summary>The database opened directly (the server is not running) for the verbs that only list; owns the store.</summary>
internal class StoreNetworkReader : INetworkReader
{
    private readonly IServerStoreReader _store;

    public StoreNetworkReader(IServerStoreReader store) => _store = store;

    public Task<IReadOnlyList<Cidr>> ListCidrsAsync(CancellationToken cancellationToken) => Task.FromResult(_store.ListCidrs());

    public Task<IReadOnlyList<Peer>> ListPeersAsync(CancellationToken cancellationToken) => Task.FromResult(_store.ListPeers());

    public Task<IReadOnlyList<Association>> ListAssociationsAsync(CancellationToken cancellationToken)
        => Task.FromResult(_store.ListAssociations());

    public Task<IReadOnlyList<AuditEntry>> ListAuditAsync(DateTimeOffset? since, CancellationToken cancellationToken)
        => Task.FromResult(_store.ListAudit(since));

    public Task<IReadOnlyList<ReservedIp>> ListReservedIpsAsync(CancellationToken cancellationToken)
        => Task.FromResult(_store.ListReservedIps());

    public ValueTask DisposeAsync()
    {
        _store.Dispose();
        return ValueTask.CompletedTask;
    }
}
