using Innernet.Core.Interface;
using Innernet.Core.Model;
using Innernet.Core.Persistence;
using Innernet.Netlink.WireGuard;

using Endpoint = Innernet.Core.Model.Endpoint;

namespace Innernet.Server.Cli;

/// <summary>
/// The database file opened directly (the server is not running). Like innernet, adding, disabling and
/// enabling a peer (and re-issuing an invitation) also update the WireGuard interface if it exists.
/// </summary>
internal sealed class DirectNetworkAdmin : INetworkAdmin
{
    private readonly ServerStore _store;
    private readonly string _interface;
    private readonly Func<IWireGuardControl> _openWireGuard;
    private readonly TextWriter _error;

    public DirectNetworkAdmin(ServerStore store, string iface, Func<IWireGuardControl> openWireGuard, TextWriter error)
    {
        _store = store;
        _interface = iface;
        _openWireGuard = openWireGuard;
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
        ApplyToLiveInterface(config => config.Peers.Add(PeerConfigs.Add(peer)));
        return Task.FromResult(peer);
    }

    public Task SetDisabledAsync(Peer peer, bool disabled, CancellationToken cancellationToken)
    {
        var updated = _store.SetDisabled(peer.Id, disabled);
        ApplyToLiveInterface(config => config.Peers.Add(disabled ? PeerConfigs.Remove(updated.PublicKey) : PeerConfigs.Add(updated)));
        return Task.CompletedTask;
    }

    public Task RenamePeerAsync(Peer peer, string newName, CancellationToken cancellationToken)
    {
        _store.UpdatePeer(peer.Id, PeerUpdate.From(peer) with { Name = newName });
        return Task.CompletedTask;
    }

    public Task<Cidr> AddCidrAsync(CidrContents contents, CancellationToken cancellationToken) => Task.FromResult(_store.AddCidr(contents));

    public Task RenameCidrAsync(Cidr cidr, string newName, CancellationToken cancellationToken)
    {
        _store.RenameCidr(cidr.Id, newName);
        return Task.CompletedTask;
    }

    public Task DeleteCidrAsync(Cidr cidr, CancellationToken cancellationToken)
    {
        _store.DeleteCidr(cidr.Id);
        return Task.CompletedTask;
    }

    public Task AddAssociationAsync(AssociationContents contents, CancellationToken cancellationToken)
    {
        _store.AddAssociation(contents);
        return Task.CompletedTask;
    }

    public Task DeleteAssociationAsync(Association association, CancellationToken cancellationToken)
    {
        _store.DeleteAssociation(association.Id);
        return Task.CompletedTask;
    }

    public Task<Peer> ReissueInvitationAsync(Peer peer, WireGuardKey newTemporaryKey, DateTimeOffset expires, CancellationToken cancellationToken)
    {
        var change = _store.ReissueInvitation(peer.Id, newTemporaryKey, expires);
        ApplyToLiveInterface(config =>
        {
            config.Peers.Add(PeerConfigs.Remove(change.Before.PublicKey));
            if (!change.After.IsDisabled)
            {
                config.Peers.Add(PeerConfigs.Add(change.After));
            }
        });
        return Task.FromResult(change.After);
    }

    public Task SetServerEndpointAsync(Endpoint endpoint, CancellationToken cancellationToken)
    {
        _store.SetServerEndpoint(endpoint);
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _store.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Applies a change to the WireGuard interface when it exists; a failure is a warning (the database is the truth).</summary>
    private void ApplyToLiveInterface(Action<DeviceConfig> build)
    {
        try
        {
            using var wireGuard = _openWireGuard();
            if (wireGuard.GetDevice(_interface) is null)
            {
                return;
            }

            var config = new DeviceConfig();
            build(config);
            wireGuard.ConfigureDevice(_interface, config);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            _error.WriteLine($"warning: the database was updated but WireGuard interface '{_interface}' was not: {e.Message}");
        }
    }
}
