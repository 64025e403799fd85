using Innernet.Core.Contracts;
using Innernet.Core.Model;
using Innernet.Core.Persistence;

namespace Innernet.Server.Api;

/// <summary>
/// The serialized bodies of the two large answers, cached per state of the server (store
/// <see cref="ServerStore.Version"/>, <see cref="IPeerSync.EndpointGeneration"/>): <c>GET /v1/user/state</c> per
/// viewer CIDR (the visibility rule depends only on the viewer's CIDR; the viewer is in the list like
/// any other peer and nothing in the body is per caller) and <c>GET /v1/admin/peers</c>. Clients poll every 60 s
/// and a 10,000-peer view is 2.6 MiB of JSON: serializing it once per change instead of once per poll is most of
/// the server's work for such an answer.
/// </summary>
internal sealed class ResponseBodies
{
    /// <summary>Viewer CIDRs cached per state; beyond that, bodies are built per request.</summary>
    public const int MaxCachedCidrs = 512;

    /// <summary>
    /// About the most bytes of state bodies kept per state: six full views of 10,000 peers, or about 120 views of a few
    /// hundred peers; the views asked for later are built per request. The cache is for the views many peers poll, not a
    /// copy of every viewer's answer.
    /// </summary>
    public const long MaxCachedStateBytes = 16L * 1024 * 1024;

    private const long AdminPeersKey = 0;

    private readonly ServerStore _store;
    private readonly IPeerSync _sync;
    private readonly ResponseBodyCache _states = new(MaxCachedCidrs, MaxCachedStateBytes);
    private readonly ResponseBodyCache _adminPeers = new(1, long.MaxValue);

    public ResponseBodies(ServerStore store, IPeerSync sync)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(sync);
        _store = store;
        _sync = sync;
    }

    /// <summary>State bodies held now (tests).</summary>
    public int CachedStateCount => _states.Count;

    /// <summary>
    /// The <c>GET /v1/user/state</c> body of every peer in CIDR <paramref name="cidrId"/>: the peers visible from
    /// it, observed endpoints injected, and every CIDR.
    /// </summary>
    public ResponseBody UserState(long cidrId)
    {
        // Version and generation first: the body is built from what is read after them (never older than its key).
        long version = _store.Version;
        long? generation = _sync.EndpointGeneration;
        return _states.GetOrBuild(version, generation, cidrId, (Store: _store, Sync: _sync, CidrId: cidrId), static s =>
        {
            var state = s.Store.GetStateForCidr(s.CidrId);
            var peers = state.Peers.Select(p => EndpointInjection.Serve(p, s.Sync)).ToList();
            return InnernetJson.SerializeToUtf8Bytes(new State(peers, state.Cidrs));
        });
    }

    /// <summary>The <c>GET /v1/admin/peers</c> body: every peer in id order, observed endpoints injected.</summary>
    public ResponseBody AdminPeers()
    {
        long version = _store.Version;
        long? generation = _sync.EndpointGeneration;
        return _adminPeers.GetOrBuild(version, generation, AdminPeersKey, (Store: _store, Sync: _sync), static s =>
            InnernetJson.SerializeToUtf8Bytes(s.Store.ListPeers().Select(p => EndpointInjection.Serve(p, s.Sync)).ToList()));
    }
}
